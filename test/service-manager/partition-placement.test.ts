/**
 * Placement of a fragment's partitions on nodes: a partition runs on a node on a host that holds
 * its blocks, unless that would overload the node; otherwise the load is balanced by bytes. Also
 * how block locations become hosts, and the host a node is known by (--advertise-host).
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { hostsHoldingMost } from '../../service-manager/partition-locality.js';
import {
  assignPartitions, hostOfUrl, localityLoadRatioMax,
  type PartitionLocality, type PlacedPartition, type PlacementNode,
} from '../../service-manager/partition-placement.js';
import { parseNodeConfig } from '../../service-manager/index.js';

/** `count` partitions p0… of the given sizes (cycled). */
function partitionsOf(count: number, sizes: readonly number[]): PlacedPartition[] {
  return Array.from({ length: count }, (_, i) => ({ id: `p${i}`, bytes: sizes[i % sizes.length] }));
}

/** Bytes per node of an assignment. */
function loads(assignment: Map<string, number[]>, partitions: readonly PlacedPartition[]): Map<string, number> {
  return new Map([...assignment].map(([node, indexes]) => [node, indexes.reduce((sum, i) => sum + partitions[i].bytes, 0)]));
}

/** Every partition is assigned exactly once, to a known node. */
function assertCovers(assignment: Map<string, number[]>, partitions: readonly PlacedPartition[], nodes: readonly PlacementNode[]): void {
  assert.deepEqual([...assignment.keys()].sort(), nodes.map((node) => node.id).sort());
  const all = [...assignment.values()].flat().sort((a, b) => a - b);
  assert.deepEqual(all, partitions.map((_, i) => i));
}

/** The host each assigned partition ran on. */
function hostOfPartition(assignment: Map<string, number[]>, nodes: readonly PlacementNode[]): Map<number, string> {
  const hosts = new Map<number, string>();
  for (const [node, indexes] of assignment) for (const i of indexes) hosts.set(i, nodes.find((each) => each.id === node)!.host);
  return hosts;
}

const threeHosts: PlacementNode[] = [{ id: 'n1', host: 'dn1' }, { id: 'n2', host: 'dn2' }, { id: 'n3', host: 'dn3' }];

describe('partition placement', () => {
  it('balances by bytes when nothing is known of locality (largest first to the lightest node)', () => {
    const partitions = partitionsOf(10, [100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
    const assignment = assignPartitions(partitions, threeHosts);
    assertCovers(assignment, partitions, threeHosts);
    assert.deepEqual(assignment.get('n1'), [0, 5, 6]);
    assert.deepEqual(assignment.get('n2'), [1, 4, 7]);
    assert.deepEqual(assignment.get('n3'), [2, 3, 8, 9]);
    assert.deepEqual([...loads(assignment, partitions).values()], [190, 180, 180]);
  });

  it('runs every partition on a host holding a replica when replicas are spread evenly', () => {
    // 30 partitions, two replicas each on consecutive hosts: dn1+dn2, dn2+dn3, dn3+dn1, …
    const partitions = partitionsOf(30, [1000]);
    const locality: PartitionLocality = new Map(partitions.map((partition, i) => [partition.id, [`dn${i % 3 + 1}`, `dn${(i + 1) % 3 + 1}`]]));
    const assignment = assignPartitions(partitions, threeHosts, locality);
    assertCovers(assignment, partitions, threeHosts);
    for (const [index, host] of hostOfPartition(assignment, threeHosts)) {
      assert.ok(locality.get(partitions[index].id)!.includes(host), `p${index} ran on ${host}, replicas on ${locality.get(partitions[index].id)!.join(', ')}`);
    }
    assert.deepEqual([...loads(assignment, partitions).values()], [10_000, 10_000, 10_000]);
  });

  it('keeps the balance when one host holds everything: it reads locally only within the load bound', () => {
    const partitions = partitionsOf(31, [1000, 990, 980]);
    const locality: PartitionLocality = new Map(partitions.map((partition) => [partition.id, ['dn2']]));
    const assignment = assignPartitions(partitions, threeHosts, locality);
    assertCovers(assignment, partitions, threeHosts);
    const byNode = loads(assignment, partitions);
    const largest = Math.max(...partitions.map((partition) => partition.bytes));
    const lightest = Math.min(...byNode.values());
    // The local node does more than its third, but never beyond the bound.
    assert.ok(byNode.get('n2')! > byNode.get('n1')! && byNode.get('n2')! > byNode.get('n3')!, JSON.stringify([...byNode]));
    assert.ok(byNode.get('n2')! <= localityLoadRatioMax * lightest + largest, JSON.stringify([...byNode]));
    for (const node of ['n1', 'n3']) assert.ok(assignment.get(node)!.length >= 8, `${node} got ${assignment.get(node)!.length} partitions`);
  });

  it('prefers the local node for the first partitions even when other nodes are idle', () => {
    const partitions = partitionsOf(3, [500]);
    const locality: PartitionLocality = new Map([['p0', ['dn3']], ['p1', ['dn3', 'dn2']], ['p2', ['dn3']]]);
    const assignment = assignPartitions(partitions, threeHosts, locality);
    // p0 → n3 (local), p1 → n2 (local, lighter than n3), p2: n3 already has 500 against 0 → n1.
    assert.deepEqual(assignment.get('n3'), [0]);
    assert.deepEqual(assignment.get('n2'), [1]);
    assert.deepEqual(assignment.get('n1'), [2]);
  });

  it('ignores hosts that run no node: the partitions are balanced as if unlocated', () => {
    const partitions = partitionsOf(12, [700, 300, 500]);
    const elsewhere: PartitionLocality = new Map(partitions.map((partition, i) => [partition.id, [`dn${4 + (i % 2)}`, 'dn9']]));
    assert.deepEqual(assignPartitions(partitions, threeHosts, elsewhere), assignPartitions(partitions, threeHosts));
  });

  it('balances partitions with no locations among located ones', () => {
    // Half the partitions are on dn1 only, the other half have no locations at all.
    const partitions = partitionsOf(20, [400]);
    const locality: PartitionLocality = new Map(partitions.filter((_, i) => i % 2 === 0).map((partition) => [partition.id, ['dn1']]));
    const assignment = assignPartitions(partitions, threeHosts, locality);
    assertCovers(assignment, partitions, threeHosts);
    const byNode = [...loads(assignment, partitions).values()];
    // The bound of the design: no node above localityLoadRatioMax × the lightest + one partition.
    assert.ok(Math.max(...byNode) <= localityLoadRatioMax * Math.min(...byNode) + 400, `loads ${byNode.join(', ')}`);
    assert.ok(Math.min(...byNode) >= 2000, `loads ${byNode.join(', ')}`);
    const located = assignment.get('n1')!.filter((i) => locality.has(`p${i}`));
    assert.ok(located.length >= 6, `n1 ran ${located.length} of its own 10 partitions`);
  });

  it('shares a host\'s partitions between the nodes on that host', () => {
    const nodes: PlacementNode[] = [{ id: 'a1', host: 'dn1' }, { id: 'a2', host: 'dn1' }, { id: 'b', host: 'dn2' }];
    const partitions = partitionsOf(9, [100]);
    const locality: PartitionLocality = new Map(partitions.map((partition, i) => [partition.id, [i % 3 === 2 ? 'dn2' : 'dn1']]));
    const assignment = assignPartitions(partitions, nodes, locality);
    assertCovers(assignment, partitions, nodes);
    for (const [index, host] of hostOfPartition(assignment, nodes)) assert.deepEqual([host], locality.get(partitions[index].id));
    assert.deepEqual(assignment.get('a1'), [0, 3, 6]);
    assert.deepEqual(assignment.get('a2'), [1, 4, 7]);
    assert.deepEqual(assignment.get('b'), [2, 5, 8]);
  });

  it('compares host names without case and without IPv6 brackets', () => {
    const nodes: PlacementNode[] = [{ id: 'x', host: 'DataNode-1.Example' }, { id: 'y', host: hostOfUrl('http://[::1]:7070') }, { id: 'z', host: 'other' }];
    const partitions = partitionsOf(2, [10]);
    const assignment = assignPartitions(partitions, nodes, new Map([['p0', ['datanode-1.example']], ['p1', ['::1']]]));
    assert.deepEqual(assignment.get('x'), [0]);
    assert.deepEqual(assignment.get('y'), [1]);
  });

  it('counts an empty partition as a byte, so many empty files still spread', () => {
    const partitions = partitionsOf(9, [0]);
    const locality: PartitionLocality = new Map(partitions.map((partition) => [partition.id, ['dn1']]));
    const counts = [...assignPartitions(partitions, threeHosts, locality).values()].map((indexes) => indexes.length);
    assert.ok(Math.max(...counts) <= 4, `counts ${counts.join(', ')}`);
    assert.ok(Math.min(...counts) >= 2, `counts ${counts.join(', ')}`);
  });

  it('lists every node, with no work when there is none, and refuses partitions without nodes', () => {
    assert.deepEqual([...assignPartitions([], threeHosts)], [['n1', []], ['n2', []], ['n3', []]]);
    assert.throws(() => assignPartitions(partitionsOf(1, [1]), []), { code: 'ASSERTION_FAILED' });
  });
});

describe('block locations as hosts', () => {
  it('names each replica of a one-block file by host name and by IP', () => {
    const hosts = hostsHoldingMost([{ length: 1000, hosts: ['dn1.example', 'DN2.example'], names: ['10.0.0.1:9866', '10.0.0.2:9866'] }]);
    assert.deepEqual(hosts.sort(), ['10.0.0.1', '10.0.0.2', 'dn1.example', 'dn2.example']);
  });

  it('keeps only the hosts holding the most bytes of a file of several blocks', () => {
    const hosts = hostsHoldingMost([
      { length: 128, hosts: ['a', 'b'], names: ['10.0.0.1:1', '10.0.0.2:1'] },
      { length: 128, hosts: ['b', 'c'], names: ['10.0.0.2:1', '10.0.0.3:1'] },
      { length: 10, hosts: ['a', 'c'], names: ['10.0.0.1:1', '10.0.0.3:1'] },
    ]);
    assert.deepEqual(hosts.sort(), ['10.0.0.2', 'b']);
  });

  it('tells DataNodes on one host apart by address, and knows no host for a file without blocks', () => {
    const hosts = hostsHoldingMost([{ length: 5, hosts: ['127.0.0.1', '127.0.0.1'], names: ['127.0.0.1:40001', '127.0.0.1:40002'] }]);
    assert.deepEqual(hosts, ['127.0.0.1']);
    assert.deepEqual(hostsHoldingMost([]), []);
  });
});

describe('the host a node is placed by', () => {
  it('is the bind address unless --advertise-host names another; a wildcard bind advertises the machine\'s name', () => {
    assert.equal(parseNodeConfig({ store: '/s' }).advertiseHost, undefined);
    assert.equal(parseNodeConfig({ store: '/s', host: '127.0.0.2', advertiseHost: 'dn7.example' }).advertiseHost, 'dn7.example');
    const token = 'a-token-of-24-characters';
    assert.equal(parseNodeConfig({ store: '/s', host: '0.0.0.0', token }).advertiseHost, hostname());
    assert.equal(parseNodeConfig({ store: '/s', host: '0.0.0.0', token, advertiseHost: '10.1.2.3' }).advertiseHost, '10.1.2.3');
  });

  it('refuses an advertised host that cannot be a URL host', () => {
    assert.throws(() => parseNodeConfig({ store: '/s', advertiseHost: 'dn 7/x' }), { code: 'NODE_CONFIG_INVALID', message: /advertise host 'dn 7\/x'/ });
  });

  it('of a member is the host of its cluster URL', () => {
    assert.equal(hostOfUrl('http://DN3.example:7070'), 'dn3.example');
    assert.equal(hostOfUrl('http://127.0.0.2:41000'), '127.0.0.2');
  });
});
