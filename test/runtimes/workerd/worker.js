// A Cloudflare module worker that uses tapegrad the way a deployed one does: the package's
// workerd entry (wrangler resolves `tapegrad` to it through the `workerd` export condition;
// workerd.test.ts checks the routing) with tapegrad.wasm as a compiled module binding.
// GET /smoke runs the smoke suite and answers with its report.
import * as tg from "../../../dist/workerd.js";
import { runSmoke } from "../smoke.js";
import corpusText from "../../conformance/corpus.json";

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/smoke") return Response.json({ results: await runSmoke(tg, { corpus: JSON.parse(corpusText) }) });
    return new Response("not found", { status: 404 });
  },
};
