import { mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { canConnect, ensureDir, isAlive, portIsFree, readPid, runCommand, sleep, startProcess, stopPid, tailFile, waitFor, waitForPort, which } from '../src/process';
import { withLock } from '../src/lock';
import { runProbe } from '../src/probe';
import { endpointsOf, isStackService } from '../src/endpoints';
import { stderrProgress } from '../src/progress';
import { DevstackError } from '../src/errors';
import { DEFAULT_CONFIG } from '../src/config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'core-process-'));

describe('processes', () => {
  it('starts a detached process with its pid file and log, and stops it with SIGTERM', async () => {
    const pidFile = path.join(dir, 'run', 'sh.pid');
    const logFile = path.join(dir, 'logs', 'sh.log');
    const pid = startProcess({ name: 'sh', command: 'sh', args: ['-c', 'echo started; exec sleep 30'], logFile, pidFile });
    expect(readPid(pidFile)).toBe(pid);
    expect(isAlive(pid)).toBe(true);
    for (let i = 0; i < 50 && !readFileSync(logFile, 'utf8').includes('started'); i++) await sleep(20);
    expect(readFileSync(logFile, 'utf8')).toBe('started\n');
    expect(await stopPid(pid, { timeoutMs: 5000 })).toBe(true);
    expect(isAlive(pid)).toBe(false);
    expect(await stopPid(pid)).toBe(false);
  });

  it('kills with SIGKILL a process that ignores SIGTERM past the timeout', async () => {
    const pid = startProcess({ name: 'stubborn', command: 'sh', args: ['-c', "trap '' TERM; while :; do sleep 0.05; done"], logFile: path.join(dir, 'stubborn.log') });
    await sleep(150);
    const t0 = Date.now();
    expect(await stopPid(pid, { timeoutMs: 300 })).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(isAlive(pid)).toBe(false);
  });

  it('reads no pid from a missing or garbled pid file, and no pid is alive', () => {
    expect(readPid(path.join(dir, 'none.pid'))).toBeUndefined();
    expect(isAlive(undefined)).toBe(false);
    expect(isAlive(0)).toBe(false);
  });

  it('sleep rejects with the abort reason', async () => {
    const c = new AbortController();
    const p = sleep(10_000, c.signal);
    c.abort(new Error('stop now'));
    await expect(p).rejects.toThrow('stop now');
    await expect(sleep(1, c.signal)).rejects.toThrow('stop now');
  });

  it('tells a listening port from a free one', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(await portIsFree('127.0.0.1', port)).toBe(false);
    await new Promise((r) => server.close(r));
    expect(await portIsFree('127.0.0.1', port)).toBe(true);
    expect(await canConnect('127.0.0.1', port, 200)).toBe(false);
  });
});

describe('commands and waits', () => {
  it('runs a command with input, capturing stdout, stderr and the exit code', async () => {
    const chunks: string[] = [];
    const r = await runCommand('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'hello', onStdout: (c) => chunks.push(c) });
    expect(r).toMatchObject({ code: 3, stdout: 'hello', stderr: 'err\n' });
    expect(chunks.join('')).toBe('hello');
  });

  it('kills a command past its timeout and says so', async () => {
    const r = await runCommand('sleep', ['5'], { timeoutMs: 100 });
    expect(r.code).toBe(128);
    expect(r.stderr).toContain('[devstack] killed after 100 ms');
  });

  it('a missing binary is TOOL_MISSING (exit 3)', async () => {
    const err = (await runCommand('no-such-tool-devstack', []).catch((e) => e)) as DevstackError;
    expect(err.code).toBe('TOOL_MISSING');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('no-such-tool-devstack is not installed (not found on PATH).');
  });

  it('finds binaries on PATH and in extra dirs only when executable files', () => {
    expect(which('sh')).toMatch(/\/sh$/);
    expect(which('no-such-tool-devstack', [dir])).toBeUndefined();
    expect(ensureDir(path.join(dir, 'a', 'b'))).toBe(path.join(dir, 'a', 'b'));
  });

  it('waitFor returns the first truthy value, or times out with the log tail', async () => {
    let n = 0;
    await expect(waitFor(async () => (++n >= 3 ? n : undefined), { timeoutMs: 2000, intervalMs: 5, what: 'three' })).resolves.toBe(3);
    const log = path.join(dir, 'svc.log');
    require('node:fs').writeFileSync(log, 'line1\nFATAL: bad config\n');
    const err = (await waitFor(async () => { throw new Error('refused'); }, { timeoutMs: 50, intervalMs: 10, what: 'svc to listen', logFile: log }).catch((e) => e)) as DevstackError;
    expect(err.code).toBe('SERVICE_DOWN');
    expect(err.message).toBe('Timed out after 50 ms waiting for svc to listen.');
    expect(err.fix).toContain('FATAL: bad config');
    expect(tailFile(path.join(dir, 'missing.log'), 3)).toBe('(no log)');
  });

  it('waitFor stops at once when the process it waits for has exited', async () => {
    const pid = startProcess({ name: 'quick', command: 'true', args: [], logFile: path.join(dir, 'quick.log') });
    await sleep(100);
    const err = (await waitForPort('127.0.0.1', 1, { timeoutMs: 10_000, pid }).catch((e) => e)) as DevstackError;
    expect(err.message).toBe(`Gave up waiting for 127.0.0.1:1 to accept connections: the process (pid ${pid}) exited.`);
  });
});

describe('the live lock', () => {
  it('is re-entrant in one process and released afterwards', async () => {
    const order: string[] = [];
    await withLock(dir, 'live', 'outer', async () => {
      order.push('outer');
      await withLock(dir, 'live', 'inner', async () => void order.push('inner'));
    });
    expect(order).toEqual(['outer', 'inner']);
    await expect(withLock(dir, 'live', 'again', async () => 'ok')).resolves.toBe('ok');
  });

  it('refuses while another live process holds it, naming the holder', async () => {
    const holder = startProcess({ name: 'holder', command: 'sleep', args: ['30'], logFile: path.join(dir, 'holder.log') });
    require('node:fs').writeFileSync(path.join(dir, 'locks', 'busy.lock'), `${holder}\npostgres bench\n`);
    const err = await withLock(dir, 'busy', 'me', async () => 'ran').catch((e: DevstackError) => e);
    expect(err).toBeInstanceOf(DevstackError);
    expect((err as DevstackError).code).toBe('LOCKED');
    expect((err as DevstackError).message).toBe(`Another live task holds the busy lock: postgres bench (pid ${holder}).`);
    await stopPid(holder);
    // The holder is gone: its stale lock is taken over.
    await expect(withLock(dir, 'busy', 'me', async () => 'ran')).resolves.toBe('ran');
  });
});

describe('probe, endpoints, progress', () => {
  it('runs every worker until the deadline, counting errors and keeping the first message', async () => {
    let n = 0;
    const out = await runProbe({ concurrency: 2, durationMs: 60, op: async () => { n++; await sleep(1); if (n % 3 === 0) throw new Error(`fail ${n}`); } });
    expect(out.errors).toBeGreaterThan(0);
    expect(out.firstError).toMatch(/^fail \d+$/);
    expect(out.recorder.errors).toBe(out.errors);
    expect(out.elapsedMs).toBeGreaterThanOrEqual(60);
  });

  it('derives every endpoint from host and ports, bracketing IPv6 in URLs', () => {
    const ports = { ...DEFAULT_CONFIG.ports, vault: 1, postgres: 2, mysql: 3, mongodb: 4, redis: 100, api: 6 };
    const e = endpointsOf({ host: '::1', ports });
    expect(e.vault.url).toBe('http://[::1]:1');
    expect(e.api).toEqual({ host: '::1', port: 6, url: 'http://[::1]:6' });
    expect(e.redis.nodes.map((x) => x.port)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(isStackService('redis')).toBe(true);
    expect(isStackService('api')).toBe(false);
  });

  it('prints progress lines with elapsed time on stderr', () => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = stderrProgress('pg: ');
    p('initdb');
    p.stop();
    const calls = spy.mock.calls.map((c) => String(c[0]));
    spy.mockRestore();
    expect(calls[0]).toMatch(/^\[\s+0\.\ds\] pg: initdb\n$/);
  });
});
