/*
 * error.c: names and messages of the CM_E* codes.
 */
#include "common/error.h"
#include "common/i18n.h"

#include <errno.h>

const char *
cm_err_name(int code)
{
	switch (code) {
	case CM_OK:
		return "CM_OK";
#define CM_XX_NAME(name, msg)                                                  \
	case CM_E##name:                                                       \
		return "CM_E" #name;
		CM_ERRNO_MAP(CM_XX_NAME)
#undef CM_XX_NAME
	default:
		return "CM_E?";
	}
}

const char *
cm_strerror(int code)
{
	switch (code) {
	case CM_OK:
		return _("success");
#define CM_XX_MSG(name, msg)                                                   \
	case CM_E##name:                                                       \
		return _(msg);
		CM_ERRNO_MAP(CM_XX_MSG)
#undef CM_XX_MSG
	default:
		return _("unknown error");
	}
}

int
cm_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0:
		return CM_OK;
	case ENOMEM:
		return CM_ENOMEM;
	case ENOENT:
	case ENOTDIR:
		return CM_ENOENT;
	case EACCES:
	case EPERM:
		return CM_EACCES;
	case EEXIST:
		return CM_EEXIST;
	case EINVAL:
		return CM_EINVAL;
	case EFBIG:
		return CM_ETOOBIG;
	default:
		return CM_EIO;
	}
}
