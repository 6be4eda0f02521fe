// tsclient.mjs MODE URL — connect to an MCP server with the official
// TypeScript SDK (@modelcontextprotocol/sdk, located by MCP_SDK_DIR), list
// its tools, call test_simple_text and read test://static-text, then print
// one JSON object with what came back. MODE is "http" (Streamable HTTP) or
// "sse" (legacy HTTP+SSE). Exits non-zero on any error.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [mode, url] = process.argv.slice(2);
const sdk = process.env.MCP_SDK_DIR;
if (!sdk || !mode || !url) {
  console.error("usage: MCP_SDK_DIR=DIR node tsclient.mjs http|sse URL");
  process.exit(2);
}
const load = (p) => import(pathToFileURL(path.join(sdk, "dist/esm", p)).href);
const { Client } = await load("client/index.js");
// MCP_BEARER, when set, is sent as Authorization: Bearer on every request.
const bearer = process.env.MCP_BEARER;
const opts = bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : undefined;
const transport =
  mode === "sse"
    ? new (await load("client/sse.js")).SSEClientTransport(new URL(url), opts)
    : new (await load("client/streamableHttp.js")).StreamableHTTPClientTransport(new URL(url), opts);

const client = new Client({ name: "mcpwarden-e2e-ts", version: "1.0.0" });
const timer = setTimeout(() => {
  console.error("timeout");
  process.exit(3);
}, 30000);
try {
  await client.connect(transport);
  const tools = await client.listTools();
  const call = await client.callTool({ name: "test_simple_text", arguments: {} });
  const read = await client.readResource({ uri: "test://static-text" });
  console.log(
    JSON.stringify({
      protocolVersion: transport.protocolVersion ?? null,
      sessionId: transport.sessionId ?? null,
      server: client.getServerVersion(),
      tools: tools.tools.map((t) => t.name).sort(),
      call,
      read,
    }),
  );
  await client.close();
} catch (e) {
  console.error("tsclient error:", e?.stack ?? e);
  process.exit(1);
} finally {
  clearTimeout(timer);
}
