import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from '@jest/globals';
import { fromStored, streamOf } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';

// Several `caseflow` processes work one ticket at the same time, as several agents' terminals
// would: every command lands exactly once, in one gap-free order.
const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'services', 'cli', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'caseflow-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caseflow = (...args: string[]) => run(process.execPath, [cli, '--data', dir, ...args]);

describe('the caseflow CLI in several processes at once', () => {
  it('records every concurrent note on one ticket exactly once, with contiguous revisions', async () => {
    const { stdout } = await caseflow(
      'ticket', 'open', '--tenant', 'contoso', '--plan', 'enterprise', '--category', 'technical', '--severity', 'B',
      '--region', 'US', '--title', 'Mail flow down', '--contact-email', 'admin@contoso.example',
      '--preferred-contact', 'email', '--language', 'en', '--as', 'customer-admin:alice@contoso',
    );
    const ticketId = stdout.trim();
    const writers = Array.from({ length: 6 }, (_, i) =>
      caseflow('ticket', 'note', ticketId, '--text', `note from terminal ${i}`, '--as', `agent:agent${i}@support`, '--command-id', `note-${i}`),
    );
    const results = await Promise.all(writers);
    expect(results.every((r) => r.stdout.includes(ticketId))).toBe(true);
    // A retry of one of them (a user pressing enter twice) changes nothing.
    await caseflow('ticket', 'note', ticketId, '--text', 'note from terminal 0', '--as', 'agent:agent0@support', '--command-id', 'note-0');

    const store = openSqliteEventStore(join(dir, 'caseflow.db'));
    const records = await store.readStream(streamOf(ticketId));
    await store.close();
    expect(records.map((r) => r.revision)).toEqual(records.map((_, i) => BigInt(i)));
    const notes = records.map(fromStored).filter((e) => e.type === 'NoteAdded');
    expect(notes.map((e) => e.commandId).sort()).toEqual(['note-0', 'note-1', 'note-2', 'note-3', 'note-4', 'note-5']);
  }, 60_000);
});
