#!/usr/bin/env node
// catchup.js: the PouchDB side of the replication catch-up comparison.
//
//   node catchup.js N [WORKDIR]
//
// Normally run through tests/bench/pouchdb.sh, which installs pouchdb next
// to a copy of this file. Creates two fresh PouchDB databases, a and b,
// with the LevelDB adapter (leveldown, on disk) in a new directory made
// inside WORKDIR (default: the system temp dir); that directory is removed
// at the end, whatever the outcome (CATCHUP_KEEP=1 keeps it).
//
// Setup, not timed: N documents of about 1 KiB of JSON each (ids
// case-000001 ..., a few string fields, deterministic pseudo-random text so
// that LevelDB's Snappy compression does not flatter either side) are
// written to a with bulkDocs in chunks of 1000; a is then closed and
// reopened so LevelDB's background compaction of the load has finished
// (closing waits for it) and the source is a settled store, as a node's
// would be when a peer comes to catch up.
//
// Timed: one one-shot PouchDB.replicate(a, b) until it completes.
// Replication options: PouchDB's defaults (batch_size 100, batches_limit
// 10, checkpoints on). They are not pathological for a local-to-local
// copy, and keeping them measures PouchDB as people run it; a larger
// batch_size would be a tuned PouchDB, not the stock one.
//
// Checked afterwards: the replication reports status complete with no
// write failures, and b.info().doc_count === N; exit 1 otherwise (2 on a
// usage error). Prints ONE line of JSON on stdout:
//   {"system":"pouchdb","version":"9.0.0","docs":N,"doc_bytes":B,
//    "seconds":S,"docs_per_s":R}
// doc_bytes is the mean JSON.stringify length of the documents as written
// (without _rev). Diagnostics (adapter in use, on-disk files) go to stderr.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const PouchDB = require('pouchdb');

const CHUNK = 1000;
const TARGET_BYTES = 1024;

function usage(msg) {
	if (msg) process.stderr.write(`catchup.js: ${msg}\n`);
	process.stderr.write('usage: node catchup.js N [WORKDIR]\n');
	process.exit(2);
}

// mulberry32: a small deterministic PRNG, so every run writes the same docs.
function prng(seed) {
	let a = seed >>> 0;
	return function () {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function word(rnd) {
	const len = 3 + Math.floor(rnd() * 8);
	let w = '';
	for (let i = 0; i < len; i++) w += LETTERS[Math.floor(rnd() * 26)];
	return w;
}
function words(rnd, n) {
	const out = [];
	for (let i = 0; i < n; i++) out.push(word(rnd));
	return out.join(' ');
}
function text(rnd, chars) {
	let s = '';
	while (s.length < chars) s += (s ? ' ' : '') + word(rnd);
	return s.slice(0, Math.max(0, chars));
}

const STATES = ['new', 'open', 'waiting', 'in_review', 'closed'];
const IDW = 6;

function makeDoc(i) {
	const rnd = prng(0x9e3779b9 ^ i);
	const doc = {
		_id: 'case-' + String(i).padStart(IDW, '0'),
		type: 'case',
		title: words(rnd, 6),
		state: STATES[Math.floor(rnd() * STATES.length)],
		office: 'office-' + String(Math.floor(rnd() * 40)).padStart(2, '0'),
		applicant: {
			name: words(rnd, 2),
			address: words(rnd, 5),
			phone: '+41 ' + String(Math.floor(rnd() * 1e9)).padStart(9, '0'),
		},
		tags: [word(rnd), word(rnd), word(rnd)],
		created: new Date(Date.UTC(2024, 0, 1) + i * 60000).toISOString(),
		description: '',
	};
	// Fill the free text so the whole JSON is about TARGET_BYTES.
	const base = JSON.stringify(doc).length;
	doc.description = text(rnd, TARGET_BYTES - base);
	return doc;
}

function listTree(dir) {
	// [relative path, bytes] of every file under dir.
	const out = [];
	(function walk(d) {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) walk(p);
			else out.push([path.relative(dir, p), fs.statSync(p).size]);
		}
	})(dir);
	return out;
}

function describeStore(dir, name) {
	const files = listTree(path.join(dir, name));
	const bytes = files.reduce((s, f) => s + f[1], 0);
	const names = files.map((f) => f[0]);
	const ldb = names.filter((n) => /\.(ldb|sst)$/.test(n)).length;
	const isLevel = names.includes('CURRENT') && names.some((n) => /^MANIFEST-/.test(n));
	const shown = names.filter((n) => !/\.(ldb|sst)$/.test(n)).sort().join(' ');
	process.stderr.write(
		`catchup.js: ${name}: ${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB on disk, ` +
			`${ldb} .ldb tables; others: ${shown}\n`);
	return isLevel;
}

async function main() {
	const argv = process.argv.slice(2);
	if (argv.length < 1 || argv.length > 2) usage();
	if (!/^[1-9][0-9]*$/.test(argv[0])) usage(`N must be a positive integer, not "${argv[0]}"`);
	const n = Number(argv[0]);
	const parent = argv[1] !== undefined ? path.resolve(argv[1]) : os.tmpdir();
	fs.mkdirSync(parent, { recursive: true });
	const dir = fs.mkdtempSync(path.join(parent, 'pouchdb-catchup-'));
	const keep = process.env.CATCHUP_KEEP === '1';

	const opts = { adapter: 'leveldb' };
	const pa = path.join(dir, 'a');
	const pb = path.join(dir, 'b');
	let a = null;
	let b = null;
	let rc = 1;
	try {
		a = new PouchDB(pa, opts);
		b = new PouchDB(pb, opts);
		for (const db of [a, b]) {
			if (db.adapter !== 'leveldb') throw new Error(`adapter is ${db.adapter}, not leveldb`);
		}

		// Setup (not timed).
		let jsonBytes = 0;
		for (let start = 1; start <= n; start += CHUNK) {
			const docs = [];
			for (let i = start; i < start + CHUNK && i <= n; i++) {
				const d = makeDoc(i);
				jsonBytes += JSON.stringify(d).length;
				docs.push(d);
			}
			const res = await a.bulkDocs(docs);
			const bad = res.filter((r) => r.error || !r.ok);
			if (bad.length) throw new Error(`bulkDocs into a: ${bad.length} failed, first ${JSON.stringify(bad[0])}`);
		}
		await a.close();
		a = new PouchDB(pa, opts);
		const ainfo = await a.info();
		if (ainfo.doc_count !== n) throw new Error(`a has ${ainfo.doc_count} docs after setup, want ${n}`);

		// Timed: one one-shot replication with the default options.
		const t0 = process.hrtime.bigint();
		const result = await PouchDB.replicate(a, b);
		const t1 = process.hrtime.bigint();
		const seconds = Number(t1 - t0) / 1e9;

		const binfo = await b.info();
		process.stderr.write(
			`catchup.js: adapter a=${a.adapter} b=${b.adapter} (backend ${binfo.backend_adapter || '?'}), ` +
				`replicate: status=${result.status} docs_read=${result.docs_read} ` +
				`docs_written=${result.docs_written} doc_write_failures=${result.doc_write_failures}; ` +
				`b.doc_count=${binfo.doc_count}; workdir ${dir}\n`);
		const levelA = describeStore(dir, 'a');
		const levelB = describeStore(dir, 'b');
		if (!levelA || !levelB) throw new Error('the stores on disk do not look like LevelDB (no CURRENT/MANIFEST-*)');
		if (result.status !== 'complete' || result.doc_write_failures !== 0) {
			throw new Error(`replication did not complete cleanly: ${JSON.stringify(result, (k, v) => (k === 'errors' ? v.slice(0, 3) : v))}`);
		}
		if (binfo.doc_count !== n) throw new Error(`b has ${binfo.doc_count} docs, want ${n}`);

		const line = {
			system: 'pouchdb',
			version: PouchDB.version,
			docs: n,
			doc_bytes: Math.round(jsonBytes / n),
			seconds: Number(seconds.toFixed(3)),
			docs_per_s: Math.round(n / seconds),
		};
		process.stdout.write(JSON.stringify(line) + '\n');
		rc = 0;
	} catch (err) {
		process.stderr.write(`catchup.js: ${err && err.stack ? err.stack : err}\n`);
		rc = 1;
	} finally {
		for (const db of [a, b]) {
			if (db) {
				try {
					await db.close();
				} catch (e) {
					/* closing is best effort */
				}
			}
		}
		if (keep) process.stderr.write(`catchup.js: kept ${dir}\n`);
		else fs.rmSync(dir, { recursive: true, force: true });
	}
	process.exitCode = rc;
}

main();
