"use client";
// Tells the other tabs of this browser that it signed out, so they leave protected pages at once.
const CHANNEL = "auth";

type AuthMessage = { type: "signed-out" };

export function announceSignedOut(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: "signed-out" } satisfies AuthMessage);
  channel.close();
}

/** Calls `onSignedOut` when another tab signs out; returns the unsubscribe function. */
export function onSignedOutElsewhere(onSignedOut: () => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<AuthMessage>) => {
    if (event.data?.type === "signed-out") onSignedOut();
  };
  return () => channel.close();
}
