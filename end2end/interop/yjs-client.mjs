// A stock Yjs client, exactly as a third-party application would use one: npm `yjs` with
// `y-websocket`'s WebsocketProvider. Driven by server/tests/it/interop.rs.
//   node yjs-client.mjs <base-url> <draft-id> <cookie> <text-to-append> <text-to-wait-for>
// Connects with the session cookie, appends its text once synced, waits until the other text
// appears, then prints the final body as JSON and exits (status 1 on timeout).
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';

const [base, draft, cookie, append, awaited] = process.argv.slice(2);
const origin = new URL(base).origin;

// Browsers send the cookie and Origin themselves; in Node the socket is told to.
class CookieSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers: { Cookie: cookie, Origin: origin } });
  }
}

const doc = new Y.Doc();
const body = doc.getText('body');
const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/collab/drafts', draft, doc, {
  WebSocketPolyfill: CookieSocket,
  disableBc: true,
});
provider.awareness.setLocalStateField('cursor', null);

const deadline = setTimeout(() => {
  console.error('timed out; text was:', JSON.stringify(body.toString().slice(-200)));
  process.exit(1);
}, 20000);

provider.on('sync', (synced) => {
  if (!synced || provider.appended) return;
  provider.appended = true;
  body.insert(body.length, append);
});

const check = () => {
  if (body.toString().includes(awaited) && body.toString().includes(append)) {
    clearTimeout(deadline);
    // Give the last update a moment to leave before closing.
    setTimeout(() => {
      console.log(JSON.stringify({ text: body.toString(), clientID: doc.clientID }));
      provider.destroy();
      process.exit(0);
    }, 300);
  }
};
body.observe(check);
