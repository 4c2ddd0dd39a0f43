/**
 * `caseflow start` as its own process: the built binary on a data directory of its own, driven
 * over real HTTP with the tokens its dev mode wrote, as a user of the product would drive it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'cli', 'dist', 'main.js');

/** A user in <data>/dev-credentials.json. */
export interface DevCredential {
  name: string;
  role: string;
  tenant: string;
  token: string;
  delegations?: string[];
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  /** A dev user's name (alice@contoso); their token goes in Authorization. */
  as?: string;
  /** A token to send instead of the named user's current one. */
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StartOptions {
  dataDir: string;
  /** Runs with `--test-clock --now <instant>`; without it, the real clock and no POST /v1/_clock. */
  testClockAt?: string;
  /** `caseflow serve <service>` instead of `caseflow start`. */
  serve?: 'api' | 'relay' | 'sla-timer' | 'notifier';
}

const STARTUP_MS = 20_000;
const SHUTDOWN_MS = 15_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The child's environment without any CASEFLOW_ setting of the shell running the tests: an SMTP
 * host, a JWT secret or a tenants file there would take the system out of dev mode.
 */
function devModeEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CASEFLOW_')));
}

export class CaseflowProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exit: Promise<Exit>,
    private readonly output: string[],
    readonly url: string,
    readonly dataDir: string,
    /** The users and tokens this start wrote to dev-credentials.json. */
    readonly users: readonly DevCredential[],
  ) {}

  /** Starts `caseflow start` on a free port; resolves once it prints the API's URL. */
  static async start({ dataDir, testClockAt, serve }: StartOptions): Promise<CaseflowProcess> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm -s build\` first (npm test does)`);
    const clockArgs = testClockAt === undefined ? [] : ['--test-clock', '--now', testClockAt];
    const command = serve === undefined ? ['start'] : ['serve', serve];
    // A service without the API is up once it says what it runs.
    const ready = serve === undefined || serve === 'api' ? /caseflow: API at (http:\/\/\S+)/ : /caseflow: running \S+ on (\S+)/;
    const child = spawn(process.execPath, [CLI, ...command, '--data', dataDir, '--port', '0', ...clockArgs], {
      env: devModeEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exit = new Promise<Exit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`caseflow ${command.join(' ')} was not ready within ${STARTUP_MS} ms:\n${output.join('')}`));
      }, STARTUP_MS);
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
      child.stdout?.on('data', (chunk: Buffer) => {
        output.push(chunk.toString('utf8'));
        const printed = ready.exec(output.join(''))?.[1];
        if (printed !== undefined) {
          clearTimeout(timer);
          resolve(printed);
        }
      });
      void exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`caseflow start ended (code ${String(code)}, signal ${String(signal)}) before serving:\n${output.join('')}`));
      });
    });
    const { users } = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as { users: DevCredential[] };
    return new CaseflowProcess(child, exit, output, url, dataDir, users);
  }

  /** The current token of the dev user with this name. */
  token(name: string): string {
    const user = this.users.find((u) => u.name === name);
    if (user === undefined) throw new Error(`no dev user ${name} in ${this.dataDir}/dev-credentials.json`);
    return user.token;
  }

  /** One HTTP request; the body is the parsed JSON, or the text when it is not JSON. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const bearer = options.token ?? (options.as === undefined ? undefined : this.token(options.as));
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (/metrics): the text as it came.
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** What the process wrote to stdout and stderr so far. */
  get log(): string {
    return this.output.join('');
  }

  /** Sends the signal and resolves with the exit code once the process has ended (SIGKILL after a grace period). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<undefined>((done) => {
      timer = setTimeout(() => done(undefined), SHUTDOWN_MS);
    });
    const exit = await Promise.race([this.exit, overdue]);
    clearTimeout(timer);
    if (exit === undefined) {
      this.child.kill('SIGKILL');
      throw new Error(`caseflow did not stop within ${SHUTDOWN_MS} ms of ${signal}:\n${this.log}`);
    }
    return exit.code;
  }
}

/** Retries `probe` (assertions and all) until it passes; after `timeoutMs`, fails with its last error. */
export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

export interface OutboxEmail {
  file: string;
  to: string;
  subject: string;
}

/**
 * The .eml files the notifier wrote to <data>/outbox, with To and Subject unfolded (RFC 5322
 * 2.2.3). Header values are as written: a non-ASCII subject would still be an RFC 2047 encoded word.
 */
export function readOutbox(dataDir: string): OutboxEmail[] {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.eml'))
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const head = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
      const header = (name: string) => {
        const line = head
          .replace(/\r?\n(?=[ \t])/g, '')
          .split(/\r?\n/)
          .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
        if (line === undefined) throw new Error(`${file} has no ${name} header`);
        return line.slice(name.length + 1).trim();
      };
      return { file, to: header('To'), subject: header('Subject') };
    });
}

/** The value of one series in Prometheus text format, e.g. `caseflow_commands_total{command="open",outcome="accepted"}`. */
export function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
