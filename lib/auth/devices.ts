// How long, and how many, browsers an account remembers (the device cookie: see the "new browser" notice).

/**
 * Browsers cap a cookie's lifetime at 400 days (RFC 6265bis), so the device cookie lives that long: a
 * browser unseen for longer has lost it, and its remembered row can never match again (cleanup drops it).
 */
export const DEVICE_MEMORY_DAYS = 400;

/**
 * Browsers one account remembers. Every sign-in without the cookie (a script, a private window) adds one;
 * beyond this the least recently seen is forgotten, so a script signing in in a loop cannot grow the table
 * (a forgotten browser that comes back is "new" once more, which only means one more notice).
 */
export const MAX_DEVICES_PER_ACCOUNT = 100;
