import { DeleteParameterCommand, DeleteParametersCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SimulatedParameterStore, STANDARD_VALUE_LIMIT_BYTES } from './simulated-parameter-store';

describe('SimulatedParameterStore', () => {
  const store = new SimulatedParameterStore({ now: () => 0 });
  const ssm = new SSMClient({ region: 'us-east-1' });
  beforeAll(() => store.install());
  afterAll(() => store.restore());

  test('create-if-absent: a second Put without Overwrite is ParameterAlreadyExists', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/a/lease', Value: 'one', Type: 'String' }));
    await expect(ssm.send(new PutParameterCommand({ Name: '/a/lease', Value: 'two', Type: 'String' })))
      .rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    const put = await ssm.send(new PutParameterCommand({ Name: '/a/lease', Value: 'two', Type: 'String', Overwrite: true }));
    expect(put.Version).toBe(2);
    expect((await ssm.send(new GetParameterCommand({ Name: '/a/lease' }))).Parameter?.Value).toBe('two');
  });

  test('values over the Standard tier limit are refused', async () => {
    await expect(ssm.send(new PutParameterCommand({ Name: '/a/big', Value: 'x'.repeat(STANDARD_VALUE_LIMIT_BYTES + 1), Type: 'String' })))
      .rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('GetParametersByPath pages by 10 and is recursive only when asked', async () => {
    for (let i = 0; i < 13; i++) store.seed(`/p/e/set${String(i).padStart(2, '0')}`, `${i}`);
    store.seed('/p/e/set00/1', 'chunk');
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: '/p/e', Recursive: true, NextToken: token }));
      expect(page.Parameters!.length).toBeLessThanOrEqual(10);
      names.push(...page.Parameters!.map(p => p.Name!));
      token = page.NextToken;
    } while (token);
    expect(names).toHaveLength(14);
    const flat = await ssm.send(new GetParametersByPathCommand({ Path: '/p/e', MaxResults: 10 }));
    expect(flat.Parameters!.map(p => p.Name)).not.toContain('/p/e/set00/1');
  });

  test('deletes: missing names are ParameterNotFound or InvalidParameters; faults are injected per operation', async () => {
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    const many = await ssm.send(new DeleteParametersCommand({ Names: ['/p/e/set01', '/nope'] }));
    expect(many.DeletedParameters).toEqual(['/p/e/set01']);
    expect(many.InvalidParameters).toEqual(['/nope']);
    store.failNext('GetParameter', 1);
    await expect(ssm.send(new GetParameterCommand({ Name: '/a/lease' }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/a/lease' }))).resolves.toBeDefined();
  });
});
