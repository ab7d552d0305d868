"use client";
// False in the server-rendered HTML and until React has attached its handlers, true after. Buttons stay
// disabled until then, so an early click is never silently lost, and a form can never be submitted by the
// browser itself (which would put a password into a URL).
import { useSyncExternalStore } from "react";

const subscribe = () => () => undefined;

export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
