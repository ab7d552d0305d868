// Types for proxy-trust.mjs.
export type ProxyTrust = (address: string, hop: number) => boolean;
export function proxyTrust(setting: string | undefined): ProxyTrust;
export function clientAddress(peer: string, forwardedFor: string | null | undefined, setting: string | undefined): string;
