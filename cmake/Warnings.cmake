# Warnings as in shared/style.md; -Werror only when OW_WERROR is set (CI).
set(OW_WARNINGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wwrite-strings -Wpointer-arith -Wcast-qual -Wvla
  -Wundef -Wold-style-definition)
include(CheckCCompilerFlag)
set(OW_C_WARNINGS "")
foreach(flag IN LISTS OW_WARNINGS)
  string(MAKE_C_IDENTIFIER "HAVE${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    list(APPEND OW_C_WARNINGS ${flag})
  endif()
endforeach()
if(OW_WERROR)
  list(APPEND OW_C_WARNINGS -Werror)
endif()

# ow_target_defaults(TARGET): warnings and the feature macros every module uses.
function(ow_target_defaults tgt)
  target_compile_options(${tgt} PRIVATE ${OW_C_WARNINGS})
  target_compile_definitions(${tgt} PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
endfunction()
