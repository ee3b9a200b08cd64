import { mapLimit } from '../../../lambda/shared/concurrency';

/** Resolves after all currently queued microtasks and one macrotask. */
const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve));

describe('mapLimit', () => {
  test('never has more than `limit` calls pending, and keeps input order', async () => {
    let active = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
      active++;
      peak = Math.max(peak, active);
      for (let k = 0; k < n; k++) await tick();
      active--;
      return `${i}:${n}`;
    });
    expect(peak).toBe(3);
    expect(results).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
  });

  test('stops starting items after a failure, but waits for those already started', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapLimit([0, 1, 2, 3, 4], 2, async n => {
      started.push(n);
      if (n === 0) throw new Error('first fails');
      await tick();
      await tick();
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('first fails');
    // 0 failed at once, so the worker that ran it stopped; 1 was already running and finished.
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  test('an empty list makes no call; a bad limit is refused', async () => {
    const fn = jest.fn(async () => 1);
    await expect(mapLimit([], 4, fn)).resolves.toEqual([]);
    expect(fn).not.toHaveBeenCalled();
    await expect(mapLimit([1], 0, fn)).rejects.toThrow(RangeError);
  });
});
