// Cold start: each sample is a fresh Node process that imports one library and runs its first
// op (peers/*.mjs coldStart()); the time is measured inside that process, from the start of the
// import to the op's values, so process start-up itself is not counted.
import { execFileSync } from "node:child_process";

const peersModule = new URL("./peers/index.mjs", import.meta.url).href;

function coldStartInFreshProcess(peerName) {
  const script = `
    import { peerNamed } from ${JSON.stringify(peersModule)};
    const result = await peerNamed(${JSON.stringify(peerName)}).coldStart();
    process.stdout.write(JSON.stringify(result), () => process.exit(0));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(out);
}

/** A case instance (see cases.mjs) whose samples are fresh processes. */
export function coldStartInstance(peerName) {
  return {
    values: () => Float32Array.from(coldStartInFreshProcess(peerName).values),
    sample: () => coldStartInFreshProcess(peerName).ms / 1000,
    dispose() {},
  };
}
