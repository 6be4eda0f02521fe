// tsdiscover.mjs URL — the discovery steps of the official TypeScript
// SDK's OAuth client against an MCP endpoint: an unauthenticated request,
// the WWW-Authenticate challenge, Protected Resource Metadata, the
// authorization server's metadata and the resource to request a token
// for. Prints one JSON object; exits non-zero on any error.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [url] = process.argv.slice(2);
const sdk = process.env.MCP_SDK_DIR;
if (!sdk || !url) {
  console.error("usage: MCP_SDK_DIR=DIR node tsdiscover.mjs URL");
  process.exit(2);
}
const auth = await import(pathToFileURL(path.join(sdk, "dist/esm/client/auth.js")).href);
try {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
  });
  const challenge = auth.extractWWWAuthenticateParams(res);
  const info = await auth.discoverOAuthServerInfo(url, { resourceMetadataUrl: challenge.resourceMetadataUrl });
  const resource = await auth.selectResourceURL(url, {}, info.resourceMetadata);
  console.log(
    JSON.stringify({
      status: res.status,
      resourceMetadataUrl: challenge.resourceMetadataUrl?.href ?? null,
      scope: challenge.scope ?? null,
      authorizationServer: info.authorizationServerUrl,
      issuer: info.authorizationServerMetadata?.issuer ?? null,
      resource: resource?.href ?? null,
    }),
  );
} catch (e) {
  console.error("tsdiscover error:", e?.stack ?? e);
  process.exit(1);
}
