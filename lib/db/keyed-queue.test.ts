import { describe, expect, it } from "vitest";
import { KeyedQueue } from "./keyed-queue";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("KeyedQueue", () => {
  it("runs tasks of one key one at a time in arrival order, even when one fails", async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string, fail = false) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([queue.run("k", task("a")), queue.run("k", task("b", true)), queue.run("k", task("c"))]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("runs tasks of different keys side by side and forgets keys whose queue is empty", async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
    };
    const both = Promise.all([queue.run("x", task("x")), queue.run("y", task("y"))]);
    expect(queue.size).toBe(2);
    await both;
    expect(events.slice(0, 2).sort()).toEqual(["start x", "start y"]);
    await tick();
    expect(queue.size).toBe(0);
  });
});
