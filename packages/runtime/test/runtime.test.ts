import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { InProcessBus } from '@caseflow/bus';
import { openServiceBus, serviceEnvironment } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'caseflow-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serviceEnvironment', () => {
  it('reads the data directory and the brokers, trimming and dropping empty entries', () => {
    expect(serviceEnvironment({ CASEFLOW_DATA: dir, CASEFLOW_KAFKA_BROKERS: ' 127.0.0.1:9092, ,127.0.0.1:9093 ' })).toEqual({
      dataDir: dir,
      file: join(dir, 'caseflow.db'),
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
    });
    expect(serviceEnvironment({ CASEFLOW_DATA: dir }).brokers).toEqual([]);
  });
});

describe('openServiceBus', () => {
  it('opens the in-process bus in the data file when no broker is configured', async () => {
    const { bus, description } = await openServiceBus('test', serviceEnvironment({ CASEFLOW_DATA: dir }));
    expect(bus).toBeInstanceOf(InProcessBus);
    expect(description).toBe(`the in-process bus in ${join(dir, 'caseflow.db')}`);
    await bus.close();
  });
});
