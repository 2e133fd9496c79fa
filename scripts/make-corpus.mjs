#!/usr/bin/env node
// Writes examples/data/tiny-tales.txt: generated, public-domain text for the char-RNN demo.
// Short tales from a small grammar, so a character model has spelling, word order, rhymes and
// punctuation to learn in two minutes. Deterministic: the same bytes every run.
import { writeFileSync } from "node:fs";

let seed = 20261126;
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(random() * xs.length)];

const names = ["the fox", "the owl", "a little hen", "the old cat", "a brown bear", "the miller", "a young goat", "the king", "a tired mouse", "the baker"];
const places = ["by the river", "in the wood", "under the hill", "at the mill", "on the green", "near the well", "in the barn", "by the sea"];
const verbs = ["found", "lost", "carried", "painted", "sold", "hid", "mended", "wanted"];
const things = ["a red apple", "a silver key", "an old boot", "a loaf of bread", "a golden ring", "a wooden spoon", "a blue kite", "a bag of corn"];
const moods = ["happy", "sad", "sleepy", "proud", "hungry", "angry", "merry", "quiet"];
const endings = [
  "and that was the end of that.",
  "and nobody ever knew why.",
  "and the moon came up over the hill.",
  "so they all went home for tea.",
  "and the wind sang all night long.",
];

function sentence() {
  const who = pick(names);
  switch (Math.floor(random() * 5)) {
    case 0: return `${cap(who)} ${pick(verbs)} ${pick(things)} ${pick(places)}.`;
    case 1: return `${cap(who)} was ${pick(moods)}, for ${pick(names)} had ${pick(verbs)} ${pick(things)}.`;
    case 2: return `"Where is ${pick(things)}?" asked ${who}.`;
    case 3: return `Then ${who} went ${pick(places)}, ${pick(endings)}`;
    default: return `${cap(who)} and ${pick(names)} sat ${pick(places)} and were ${pick(moods)}.`;
  }
}
const cap = (s) => s[0].toUpperCase() + s.slice(1);

const tales = [];
let size = 0;
for (let n = 1; size < 300_000; n++) {
  const lines = [`Tale ${n}.`];
  const count = 3 + Math.floor(random() * 5);
  for (let i = 0; i < count; i++) lines.push(sentence());
  const tale = lines.join(" ") + "\n\n";
  tales.push(tale);
  size += tale.length;
}
const out = new URL("../examples/data/tiny-tales.txt", import.meta.url);
writeFileSync(out, tales.join(""));
console.log(`wrote ${out.pathname}: ${size} characters`);
