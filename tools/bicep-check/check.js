'use strict';
// bicep-check: offline checks of infra/bicep, then a self-test over fixtures/ (deliberately broken templates).
// Usage: node check.js [--repo <root>] [--types <bicep-types dir>]
// Ends with exactly one line `bicep-check: N passed, M failed`; exit code 1 when M > 0.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { parseFile, walk, pos, bicepFilesUnder } = require('./lib/template');
const { TypeIndex, checkResource } = require('./lib/types');
const { checkFile, checkSet, checkProject } = require('./lib/rules');
const { checkSideFiles } = require('./lib/sidefiles');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const repoRoot = path.resolve(arg('--repo', path.join(__dirname, '..', '..')));
const typesDir = path.resolve(arg('--types', process.env.BICEP_TYPES_DIR || path.join(repoRoot, '..', 'shared', 'bicep-types')));
const infraDir = path.join(repoRoot, 'infra', 'bicep');
const fixturesDir = path.join(__dirname, 'fixtures');

// Collects diagnostics per file: "<file>:<line>:<col>: error [<rule>] <message>".
class Diagnostics {
  constructor(baseDir) { this.baseDir = baseDir; this.byFile = new Map(); }

  reporter(file) {
    return (node, rule, message) => {
      const { line, col } = node.startPosition ? pos(node) : node;
      const rel = path.relative(this.baseDir, file).split(path.sep).join('/');
      if (!this.byFile.has(file)) this.byFile.set(file, []);
      const text = `${rel}:${line}:${col}: error [${rule}] ${message}`;
      if (!this.byFile.get(file).includes(text)) this.byFile.get(file).push(text);
    };
  }

  of(file) { return this.byFile.get(file) || []; }
}

function syntaxErrors(t, report) {
  let found = false;
  walk(t.root, (n) => {
    if (n.type === 'ERROR') { found = true; report(n, 'syntax', `cannot parse '${n.text.split('\n')[0].slice(0, 40)}'`); }
    else if (n.isMissing) { found = true; report(n, 'syntax', `missing '${n.type}'`); }
  });
  return found;
}

// Parses the entry file and every module it reaches (plus `extra` files), then runs all template checks.
function checkTemplates(entryFile, extra, index, diags, { set, project }) {
  const files = new Map();
  const queue = [entryFile, ...extra];
  const broken = new Set();
  while (queue.length) {
    const file = queue.shift();
    if (files.has(file) || !fs.existsSync(file)) continue;
    const t = parseFile(file);
    files.set(file, t);
    if (syntaxErrors(t, diags.reporter(file))) { broken.add(file); continue; }
    for (const m of t.modules) if (m.path) queue.push(path.resolve(path.dirname(file), m.path));
  }
  for (const t of files.values()) {
    if (broken.has(t.file)) continue;
    const report = diags.reporter(t.file);
    try {
      for (const res of t.resources) checkResource(index, res, report);
      checkFile(t, report, t.file === entryFile);
    } catch (e) {
      report(t.root, 'internal', `the checker failed on this file: ${e.stack.split('\n').slice(0, 2).join(' ')}`);
    }
  }
  const entry = files.get(entryFile);
  if (set && entry && !broken.size) {
    // A set-level finding is reported in the file that holds the node.
    const report = (node, rule, message) => {
      const owner = [...files.values()].find((t) => t.root.tree === node.tree) || entry;
      diags.reporter(owner.file)(node, rule, message);
    };
    checkSet(entry, files, report);
    if (project) checkProject(entry, files, report);
  }
  return [...files.keys()];
}

function bicepCli(mainFile) {
  const run = (args) => spawnSync('bicep', args, { encoding: 'utf8' });
  const probe = run(['--version']);
  if (probe.error || probe.status !== 0) {
    console.log('SKIP bicep build / bicep lint: no bicep binary on PATH (the checks above ran offline only)');
    return null;
  }
  const problems = [];
  for (const args of [['build', mainFile, '--stdout'], ['lint', mainFile]]) {
    const r = run(args);
    // Both commands print diagnostics, warnings included, on stderr; warnings count as failures.
    const text = `${args[0] === 'lint' ? r.stdout : ''}${r.stderr}`.trim();
    if (r.status !== 0 || /\b(warning|error)\b/i.test(text)) problems.push(`bicep ${args[0]}: ${text || `exit ${r.status}`}`);
  }
  return { version: probe.stdout.trim(), problems };
}

function main() {
  let passed = 0;
  let failed = 0;
  const result = (ok, label, lines) => {
    if (ok) passed += 1; else failed += 1;
    console.log(`${ok ? 'PASS' : 'FAIL'} ${label}`);
    for (const l of lines) console.log(`     ${l}`);
  };

  if (!fs.existsSync(typesDir)) {
    result(false, 'type data', [`no Azure type data at ${typesDir} (expected ../shared/bicep-types beside the repository, or set BICEP_TYPES_DIR)`]);
    console.log(`bicep-check: ${passed} passed, ${failed} failed`);
    process.exit(1);
  }
  const index = new TypeIndex(typesDir);
  console.log(`type data: ${index.byName.size} resource types from ${path.relative(repoRoot, typesDir) || typesDir}`);

  // 1. The real templates: each .bicep file under infra/bicep is one check; so is each side file.
  const mainFile = path.join(infraDir, 'main.bicep');
  const diags = new Diagnostics(repoRoot);
  const files = fs.existsSync(infraDir) ? bicepFilesUnder(infraDir) : [];
  if (!fs.existsSync(mainFile)) result(false, 'infra/bicep/main.bicep', ['missing']);
  else checkTemplates(mainFile, files, index, diags, { set: true, project: true });
  for (const f of files) {
    const d = diags.of(f);
    result(d.length === 0, `${path.relative(repoRoot, f)} (syntax, types, rules)`, d);
  }
  for (const { label, problems } of checkSideFiles(repoRoot, mainFile)) result(problems.length === 0, label, problems);

  // 2. Fixtures: each must produce exactly the diagnostics in its .expected file.
  const fixtures = fs.existsSync(fixturesDir) ? fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.expected')).sort() : [];
  for (const exp of fixtures) {
    const name = exp.replace(/\.expected$/, '');
    const asDir = path.join(fixturesDir, name, 'main.bicep');
    const asFile = path.join(fixturesDir, `${name}.bicep`);
    const fd = new Diagnostics(fixturesDir);
    let got = [];
    if (fs.existsSync(asDir)) {
      const reached = checkTemplates(asDir, [], index, fd, { set: true, project: false });
      got = reached.flatMap((f) => fd.of(f));
    } else if (fs.existsSync(asFile)) {
      checkTemplates(asFile, [], index, fd, { set: false, project: false });
      got = fd.of(asFile);
    }
    const want = fs.readFileSync(path.join(fixturesDir, exp), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const same = got.length === want.length && got.every((g, i) => g === want[i]);
    result(same, `fixture ${name} -> ${want.length === 1 ? want[0] : `${want.length} diagnostics`}`,
      same ? [] : [...want.map((w) => `expected: ${w}`), ...(got.length ? got.map((g) => `got:      ${g}`) : ['got:      (no diagnostics)'])]);
  }

  // 3. The real compiler, where one exists.
  const cli = fs.existsSync(mainFile) ? bicepCli(mainFile) : null;
  if (cli) result(cli.problems.length === 0, `bicep build + bicep lint (${cli.version})`, cli.problems);

  console.log(`bicep-check: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

try {
  main();
} catch (e) {
  console.log(`FAIL internal error: ${e.stack}`);
  console.log('bicep-check: 0 passed, 1 failed');
  process.exit(1);
}
