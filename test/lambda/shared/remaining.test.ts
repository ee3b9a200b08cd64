import { logRemaining, nameWithinBudget, REMAINING_IDS_BUDGET_CHARS } from '../../../lambda/shared/remaining';

describe('nameWithinBudget', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `cvpn-connection-${String(i).padStart(17, '0')}`);

  test('names every id when they fit', () => {
    expect(nameWithinBudget(['a', 'b', 'c'])).toBe('a, b, c');
    expect(nameWithinBudget([])).toBe('');
  });

  test('names as many as fit in the budget, tail included, and counts the rest', () => {
    expect(nameWithinBudget(['aaaa', 'bbbb', 'cccc', 'dddd'], 20)).toBe('aaaa and 3 more');
    const text = nameWithinBudget(ids(500));
    expect(text.length).toBeLessThanOrEqual(REMAINING_IDS_BUDGET_CHARS);
    const named = text.replace(/ and \d+ more$/, '').split(', ');
    expect(named.length).toBeGreaterThan(30);
    expect(text).toMatch(new RegExp(` and ${500 - named.length} more$`));
    expect(named).toEqual(ids(500).slice(0, named.length));
  });

  test('a budget too small for one id still counts them', () => {
    expect(nameWithinBudget(ids(3), 5)).toBe('3 (see the log for the list)');
  });
});

describe('logRemaining', () => {
  test('logs the full list as one JSON line', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
    try {
      logRemaining('connections', ['c1', 'c2'], { endpointId: 'cvpn-endpoint-1' });
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(lines[0])).toEqual({
      level: 'error', message: 'deadline reached with connections remaining', endpointId: 'cvpn-endpoint-1', remaining: 2, ids: ['c1', 'c2'],
    });
  });
});
