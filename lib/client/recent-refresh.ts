// Whether another tab's refresh is recent enough to stand in for our own (the cookie jar is shared).
// The value is a wall-clock time another tab wrote to localStorage, so it is believed only while it
// means what it says: not in the future (a clock set back, or a planted value, would otherwise switch
// in-page refresh off for as long as it lies ahead) and not older than the window.

/** A refresh another tab finished this recently already covers us. */
export const RECENT_REFRESH_MS = 2_000;

export function refreshedRecently(stored: string | null, now: number): boolean {
  if (stored === null || !/^\d{1,16}$/.test(stored)) return false;
  const age = now - Number(stored);
  return age >= 0 && age < RECENT_REFRESH_MS;
}
