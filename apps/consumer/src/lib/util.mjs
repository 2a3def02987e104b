// Small helpers: child processes with captured output and timeouts, progress lines, a semaphore.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { sep } from 'node:path';

const T0 = Date.now();
const children = new Set();

export function elapsed() {
  const s = Math.round((Date.now() - T0) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function log(msg) {
  process.stdout.write(`[consumer ${elapsed()}] ${msg}\n`);
}

/**
 * The environment for a user's project: nothing inherited from pnpm/npm running this script
 * (npm_config_*, npm_package_*, the workspace's node_modules/.bin on PATH).
 */
export function userEnv(repoRoot, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_PATH$|TURBO_HASH$)/i.test(k)) continue;
    env[k] = v;
  }
  const PATH = (process.env.PATH ?? '').split(':')
    .filter((p) => !(p === repoRoot || p.startsWith(repoRoot + sep)) && !p.includes(`${sep}.pnpm${sep}`) && !p.endsWith(`node_modules${sep}.bin`));
  env.PATH = PATH.join(':');
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  return { ...env, ...extra };
}

/**
 * Runs a command; resolves with { code, signal, stdout, stderr, all, ms, timedOut } (never rejects
 * on a non-zero exit). The child gets its own process group so a timeout kills its children too.
 */
export function exec(cmd, args, { cwd, env, timeoutMs = 120_000, input, onLine } = {}) {
  return new Promise((resolvePromise) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let all = '';
    let timedOut = false;
    const take = (which) => (chunk) => {
      const s = chunk.toString();
      if (which === 'out') stdout += s; else stderr += s;
      all += s;
      if (onLine) for (const line of s.split('\n')) if (line.trim()) onLine(line);
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += String(e.message);
      all += String(e.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code: code ?? -1, signal, stdout, stderr, all, ms: Date.now() - t0, timedOut });
    });
    if (input !== undefined) child.stdin.end(input); else child.stdin.end();
  });
}

/** Starts a long-running process (a dev server); returns { child, output(), stop() }. */
export function start(cmd, args, { cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (c) => { out += c.toString(); });
  child.stderr.on('data', (c) => { out += c.toString(); });
  const exited = new Promise((r) => child.on('close', (code) => { children.delete(child); r(code); }));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      killTree(child);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export function killTree(child) {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    try { child.kill('SIGTERM'); } catch { /* gone */ }
  }
  setTimeout(() => {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }, 3000).unref();
}

export function killAll() {
  for (const c of children) killTree(c);
}

export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

export function semaphore(n) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    const { fn, res, rej } = queue.shift();
    Promise.resolve().then(fn).then(res, rej).finally(() => { active--; next(); });
  };
  return (fn) => new Promise((res, rej) => { queue.push({ fn, res, rej }); next(); });
}

/** The last few meaningful lines of a process's output (for failure reasons). */
export function tail(text, n = 8) {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim()).slice(-n).join('\n');
}

/** Reads the `RESULT {...}` line a fixture script prints; falls back to the error in its output. */
export function parseResult(r) {
  const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (line) {
    try {
      return JSON.parse(line.slice(7));
    } catch { /* fall through */ }
  }
  if (r.timedOut) return { ok: false, error: `timed out after ${Math.round(r.ms / 1000)} s`, output: tail(r.all) };
  return { ok: false, error: firstError(r.all) ?? `exit code ${r.code}${r.signal ? ` (${r.signal})` : ''} without a RESULT line`, output: tail(r.all, 12) };
}

/** The first line that looks like a thrown error, with the frame or path that locates it. */
export function firstError(text) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^(\w*Error|Error \[|\w+Error:|node:internal|SyntaxError|TypeError|RangeError)/.test(l.trim()) || /\b(Error|ERR_[A-Z_]+)\b.*:/.test(l));
  if (i < 0) return undefined;
  const frame = lines.slice(i + 1).find((l) => /^\s+at /.test(l) || /node_modules/.test(l));
  return `${lines[i].trim()}${frame ? ` (${frame.trim()})` : ''}`;
}
