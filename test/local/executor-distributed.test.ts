import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  LocalExecutor,
  type ObjectStore,
  type TaskHandler,
} from '../../local/executor/executor';

const machine = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => ({
  QueryLanguage: 'JSONata',
  StartAt: startAt,
  States: states,
});

/** An in-memory object store keyed `bucket/key`. */
function memoryStore(initial: Record<string, unknown> = {}): ObjectStore & { objects: Map<string, string> } {
  const objects = new Map(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    objects,
    get: async (bucket, key) => {
      const v = objects.get(`${bucket}/${key}`);
      if (v === undefined) throw new Error(`NoSuchKey ${bucket}/${key}`);
      return Buffer.from(v);
    },
    put: async (bucket, key, body) => {
      objects.set(`${bucket}/${key}`, body);
    },
  };
}

/** A Distributed Map over `items` (or a reader) that sums each batch with the `sum` resource. */
const distributed = (extra: Record<string, unknown>) =>
  machine({
    Start: { Type: 'Pass', Assign: { outer: 'parent-only' }, Next: 'M' },
    M: {
      Type: 'Map',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
        StartAt: 'Sum',
        States: { Sum: { Type: 'Task', Resource: 'sum', End: true } },
      },
      End: true,
      ...extra,
    },
  });

const sum: TaskHandler = async (input) => {
  const { Items } = input as { Items: { n: number }[] };
  if (Items.some((i) => i.n < 0)) throw Object.assign(new Error('negative'), { name: 'Negative' });
  return Items.reduce((s, i) => s + i.n, 0);
};

describe('LocalExecutor (Distributed Map)', () => {
  it('reads items from the object store, batches them and writes results when ItemReader, ItemBatcher and ResultWriter are set', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ n: i + 1 }));
    const store = memoryStore({ 'b/in/items.json': items });
    const ex = new LocalExecutor(
      distributed({
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSON' },
          Arguments: { Bucket: 'b', Key: '{% $states.input.key %}' },
        },
        ItemBatcher: { MaxItemsPerBatch: '{% 3 %}' },
        MaxConcurrency: '{% 2 %}',
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Arguments: { Bucket: 'b', Prefix: 'out' },
        },
      }),
      { resources: { sum }, objectStore: store },
    );
    const r = await ex.execute({ key: 'in/items.json' });
    expect(r.status).toBe('SUCCEEDED');
    const details = (r.output as { ResultWriterDetails: { Bucket: string; Key: string } })
      .ResultWriterDetails;
    expect(details.Key).toMatch(/^out\/[0-9a-f-]{36}\/manifest\.json$/);
    const manifest = JSON.parse(store.objects.get(`b/${details.Key}`)!);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const succeeded = JSON.parse(store.objects.get(`b/${manifest.ResultFiles.SUCCEEDED[0].Key}`)!) as {
      Input: string;
      Output: string;
    }[];
    // 7 items in batches of at most 3: 3 + 3 + 1, each child's output the sum of its batch.
    expect(succeeded.map((c) => JSON.parse(c.Input).Items.length)).toEqual([3, 3, 1]);
    expect(succeeded.map((c) => JSON.parse(c.Output))).toEqual([1 + 2 + 3, 4 + 5 + 6, 7]);
  });

  it('tolerates failed batches up to the percentage and reports them in FAILED results', async () => {
    const items = [{ n: 1 }, { n: -1 }, { n: 2 }, { n: 3 }];
    const store = memoryStore();
    const def = (pct: number) =>
      distributed({
        Items: '{% $states.input %}',
        ItemBatcher: { MaxItemsPerBatch: 1 },
        ToleratedFailurePercentage: pct,
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Arguments: { Bucket: 'b', Prefix: 'r' } },
      });
    const ok = await new LocalExecutor(def(25), { resources: { sum }, objectStore: store }).execute(items);
    expect(ok.status).toBe('SUCCEEDED');
    const over = await new LocalExecutor(def(24), { resources: { sum }, objectStore: store }).execute(items);
    expect(over.status).toBe('FAILED');
    expect(over.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(over.cause).toContain('1 of 4 items failed, over the tolerated 24%');
    const failedFiles = [...store.objects.keys()].filter((k) => k.endsWith('FAILED_0.json'));
    expect(failedFiles).toHaveLength(2);
    for (const f of failedFiles)
      expect(JSON.parse(store.objects.get(f)!)[0]).toMatchObject({ Status: 'FAILED', Error: 'Negative' });
  });

  it('runs children without the parent variables and returns child outputs when no ResultWriter is set', async () => {
    const ex = new LocalExecutor(
      machine({
        Start: { Type: 'Pass', Assign: { outer: 'parent-only' }, Next: 'M' },
        M: {
          Type: 'Map',
          Items: [1, 2],
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'P',
            States: {
              P: {
                Type: 'Pass',
                Output: '{% {"item": $states.input, "sees": $exists($outer)} %}',
                End: true,
              },
            },
          },
          End: true,
        },
      }),
      { resources: {} },
    );
    const r = await ex.execute({});
    expect(r.output).toEqual([
      { item: 1, sees: false },
      { item: 2, sees: false },
    ]);
  });

  it('rejects at load time what it does not implement, naming state and field', () => {
    const load = (
      extra: Record<string, unknown>,
      config: Record<string, unknown> = { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
    ) => {
      const def = distributed(extra) as unknown as {
        States: { M: { ItemProcessor: { ProcessorConfig: unknown } } };
      };
      def.States.M.ItemProcessor.ProcessorConfig = config;
      try {
        new LocalExecutor(def, { resources: { sum }, objectStore: memoryStore() });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(DefinitionError);
        return (err as DefinitionError).problems;
      }
    };
    const reader = (over: Record<string, unknown>) => ({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Arguments: { Bucket: 'b', Key: 'k' },
        ...over,
      },
    });
    expect(load(reader({}))).toEqual([]);
    expect(load(reader({ ReaderConfig: { InputType: 'CSV' } }))).toEqual([
      expect.stringContaining('state "M": field "ItemReader.ReaderConfig"'),
    ]);
    expect(load(reader({ Resource: 'arn:aws:states:::s3:listObjectsV2' }))).toEqual([
      expect.stringContaining('"ItemReader.Resource"'),
    ]);
    expect(load({ ...reader({}), Items: [] })).toEqual([
      expect.stringContaining('"Items" and "ItemReader" exclude each other'),
    ]);
    expect(load({ ToleratedFailureCount: 1 })).toEqual([
      expect.stringContaining('field "ToleratedFailureCount" is not supported on a Map state'),
    ]);
    expect(load({ ToleratedFailurePercentage: 101 })).toEqual([
      expect.stringContaining('"ToleratedFailurePercentage" must be a number 0-100'),
    ]);
    expect(load({ ItemBatcher: {} })).toEqual([
      expect.stringContaining('needs MaxItemsPerBatch or MaxInputBytesPerBatch'),
    ]);
    expect(load({ ItemBatcher: { MaxItemsPerBatch: 2, BatchSize: 3 } })).toEqual([
      expect.stringContaining('"ItemBatcher.BatchSize" is not supported'),
    ]);
    expect(
      load({
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Arguments: { Bucket: 'b', Prefix: 'p' },
          WriterConfig: {},
        },
      }),
    ).toEqual([expect.stringContaining('"ResultWriter.WriterConfig" is not supported')]);
    expect(load({ MaxConcurrency: '{% 1 + %}' })).toEqual([
      expect.stringContaining('field MaxConcurrency: JSONata does not compile'),
    ]);
    expect(load({}, { Mode: 'DISTRIBUTED' })).toEqual([
      expect.stringContaining('"ItemProcessor.ProcessorConfig.ExecutionType" must be STANDARD or EXPRESS'),
    ]);
    // Distributed-only fields on an INLINE map, and an unknown mode.
    expect(load({ ItemBatcher: { MaxItemsPerBatch: 2 } }, { Mode: 'INLINE' })).toEqual([
      expect.stringContaining('field "ItemBatcher" needs ItemProcessor.ProcessorConfig.Mode "DISTRIBUTED"'),
    ]);
    expect(load({}, { Mode: 'REMOTE' })).toContainEqual(
      expect.stringContaining('"REMOTE" is not supported (INLINE or DISTRIBUTED)'),
    );
  });

  it('refuses a definition with ItemReader or ResultWriter when no object store is given', () => {
    expect(
      () =>
        new LocalExecutor(
          distributed({
            ResultWriter: {
              Resource: 'arn:aws:states:::s3:putObject',
              Arguments: { Bucket: 'b', Prefix: 'p' },
            },
          }),
          { resources: { sum } },
        ),
    ).toThrow(/state "M": ItemReader\/ResultWriter need an object store/);
  });
});
