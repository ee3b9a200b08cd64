import { HandlerError } from '../../../lambda/shared/errors';
import { DATA_BUDGET_BYTES, dataSizeBytes, guardData, RESPONSE_BODY_LIMIT_BYTES } from '../../../lambda/shared/response';

describe('guardData', () => {
  test('leaves room for the response envelope under CloudFormation\'s 4 KB', () => {
    expect(DATA_BUDGET_BYTES).toBeLessThanOrEqual(RESPONSE_BODY_LIMIT_BYTES - 1024);
  });

  test('passes Data within the budget through', () => {
    const data = { RuleCount: '500' };
    expect(guardData(data)).toBe(data);
  });

  test('counts bytes of the JSON encoding, not characters', () => {
    const data = { Note: 'é'.repeat(1500) }; // 1500 characters, 3000+ bytes
    expect(dataSizeBytes(data)).toBeGreaterThan(3000);
    expect(() => guardData({ Note: 'é'.repeat(1600) })).toThrow(HandlerError);
  });

  test('names the size and the largest fields when over', () => {
    expect(() => guardData({ Small: 'x', Big: 'y'.repeat(4000) }))
      .toThrow(/response Data is \d+ bytes, over the 3072-byte budget .*largest fields: Big \(4000 bytes\), Small \(1 bytes\)/);
  });
});
