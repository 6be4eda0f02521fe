// tsoauth.mjs URL REDIRECT — the TypeScript SDK's OAuth client
// (@modelcontextprotocol/sdk, located by MCP_SDK_DIR) against a gateway
// that requires tokens: connecting gets 401, the SDK discovers the
// authorization server, registers itself (DCR) with REDIRECT and asks to
// open the authorization URL, which this script prints as one JSON line
// {"authorize": URL}. The test drives the browser and writes the code it
// got at REDIRECT as one line on stdin; the SDK exchanges it (PKCE),
// reconnects and calls test_simple_text. The last line is
// {"call": result, "scope": granted scope}. Exits non-zero on any error.
import { pathToFileURL } from "node:url";
import path from "node:path";
import readline from "node:readline";

const [url, redirect] = process.argv.slice(2);
const sdk = process.env.MCP_SDK_DIR;
if (!sdk || !url || !redirect) {
  console.error("usage: MCP_SDK_DIR=DIR node tsoauth.mjs URL REDIRECT");
  process.exit(2);
}
const load = (p) => import(pathToFileURL(path.join(sdk, "dist/esm", p)).href);
const { Client } = await load("client/index.js");
const { StreamableHTTPClientTransport } = await load("client/streamableHttp.js");
const { UnauthorizedError } = await load("client/auth.js");

const timer = setTimeout(() => {
  console.error("timeout");
  process.exit(3);
}, 120000);

// An in-memory OAuthClientProvider, as a CLI agent would keep on disk.
const store = {};
const provider = {
  get redirectUrl() {
    return redirect;
  },
  get clientMetadata() {
    return {
      client_name: "mcpwarden-e2e-ts-oauth",
      redirect_uris: [redirect],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  },
  clientInformation: () => store.client,
  saveClientInformation: (c) => {
    store.client = c;
  },
  tokens: () => store.tokens,
  saveTokens: (t) => {
    store.tokens = t;
  },
  redirectToAuthorization: (u) => {
    console.log(JSON.stringify({ authorize: u.toString() }));
  },
  saveCodeVerifier: (v) => {
    store.verifier = v;
  },
  codeVerifier: () => store.verifier,
};

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

try {
  let transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  try {
    await new Client({ name: "mcpwarden-e2e-ts-oauth", version: "1.0.0" }).connect(transport);
    throw new Error("connected without a token");
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
  }
  const { value: code } = await lines.next();
  await transport.finishAuth(code.trim());
  transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  const client = new Client({ name: "mcpwarden-e2e-ts-oauth", version: "1.0.0" });
  await client.connect(transport);
  const call = await client.callTool({ name: "test_simple_text", arguments: {} });
  console.log(JSON.stringify({ call, scope: store.tokens?.scope ?? null }));
  await client.close();
  clearTimeout(timer);
  process.exit(0);
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(1);
}
