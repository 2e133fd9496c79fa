// The shipped declarations (dist/types, tsc's own output) compiled as a TypeScript user's
// project sees them: through package.json `exports`, strict, with the library's .d.ts files
// checked too (skipLibCheck off), under the `node` condition and a bundler's `browser` one.
import ts from "typescript";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const file = (name: string) => fileURLToPath(new URL(`./types/${name}`, import.meta.url));
const base: ts.CompilerOptions = {
  strict: true, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
};
const NODE: ts.CompilerOptions = { ...base, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
const BUNDLER: ts.CompilerOptions = {
  ...base, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, customConditions: ["browser"],
};
/** TypeScript's older resolution, which reads no `exports`: `types` and `typesVersions` serve it. */
const NODE10: ts.CompilerOptions = { ...base, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10 };

function diagnostics(files: string[], options: ts.CompilerOptions): string[] {
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(/.*\/(dist|test)\//, "$1/")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

test("a Node project type-checks against the main entry and every subpath, file helpers included", () => {
  expect(diagnostics([file("consumer.ts"), file("consumer-node.ts")], NODE)).toEqual([]);
});

test("a bundled browser project type-checks against the same API without the file helpers", () => {
  expect(diagnostics([file("consumer.ts")], BUNDLER)).toEqual([]);
  expect(diagnostics([file("consumer-node.ts")], BUNDLER).join("\n")).toContain("has no exported member named 'loadSafetensorsFile'");
});

test("a project on the older node10 resolution finds the main entry's and every subpath's declarations", () => {
  // node10 has no self-references: a project with the package installed under node_modules
  const project = mkdtempSync(join(tmpdir(), "tapegrad-types-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(fileURLToPath(new URL("..", import.meta.url)), join(project, "node_modules", "tapegrad"), "dir");
    copyFileSync(file("consumer.ts"), join(project, "consumer.ts"));
    expect(diagnostics([join(project, "consumer.ts")], NODE10)).toEqual([]);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test("the declarations are typed: a wrong assignment is an error", () => {
  expect(diagnostics([file("wrong.ts")], NODE)).toEqual(["test/types/wrong.ts:5 Type 'Tensor' is not assignable to type 'number'."]);
});
