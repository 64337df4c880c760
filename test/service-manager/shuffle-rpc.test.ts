/** shuffle-rpc: dropShuffleOn reads its answer, so the connection is reused instead of held until garbage collection. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dropShuffleOn } from '../../service-manager/shuffle-rpc.js';

describe('shuffle-rpc dropShuffleOn', () => {
  it('consumes the answer: sequential drops to one peer share a kept-alive connection', async () => {
    const deleted: string[] = [];
    let connections = 0;
    // An answer larger than socket buffers: left unread, it pins its connection and each drop opens a new one.
    const server = http.createServer((request, response) => {
      deleted.push(`${request.method} ${request.url}`);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ dropped: true, padding: 'x'.repeat(256 * 1024) }));
    });
    server.on('connection', () => { connections += 1; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const peer = { id: 'peer', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
      const drops = 6;
      for (let i = 0; i < drops; i++) await dropShuffleOn(peer, `q.${i}`, null);
      assert.deepEqual(deleted, Array.from({ length: drops }, (_, i) => `DELETE /internal/v1/shuffle/q.${i}`));
      assert.ok(connections <= 2, `${drops} drops opened ${connections} connections`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
