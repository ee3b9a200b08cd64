/**
 * The handlers' only source of time. Tests replace `now` and `sleep` with a
 * simulated clock so that waits, deadlines and state transitions of simulated
 * endpoints run instantly and deterministically.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise(resolve => setTimeout(resolve, ms)),
};

let current: Clock = realClock;

export const clock: Clock = {
  now: () => current.now(),
  sleep: (ms: number) => current.sleep(ms),
};

/** Replace the clock (tests only). Returns a function that restores the previous one. */
export function useClock(replacement: Clock): () => void {
  const previous = current;
  current = replacement;
  return () => { current = previous; };
}
