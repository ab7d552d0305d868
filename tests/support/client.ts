// Everything the API tests import for talking to the server, from one path: the cookie jar, account
// helpers, token helpers and assertions live in their own modules beside this one.
export * from "./accounts";
export * from "./assertions";
export * from "./cookie-jar";
export * from "./tokens";
