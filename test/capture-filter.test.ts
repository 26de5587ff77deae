/**
 * The classic BPF program a SIO_RCVALL-family capture attaches to its packet socket
 * (sockets/capture.ts captureFilter), run by a small interpreter of the instructions it uses over
 * synthetic packets: every combination of options keeps exactly what the code keeps (the family's
 * IP packets; not the outgoing copy on loopback; not PACKET_OTHERHOST unless RCVALL_ON; only
 * multicast destinations for SIO_RCVALL_MCAST, only IGMP for SIO_RCVALL_IGMPMCAST), cut to the IP
 * length. The namespace tests (ioctl-rcvall.test.ts) hold the same on real traffic where a
 * namespace can produce it; PACKET_OTHERHOST frames cannot be made there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureFilter, type CaptureKeep } from '../dist/backend/linux/sockets/capture.js';

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_ARP = 0x0806;
const HOST = 0;
const OTHERHOST = 3;
const OUTGOING = 4;

interface Frame { protocol: number; pkttype: number; data: Uint8Array }

/** Run the program: the number of bytes kept (0: dropped). Only the opcodes captureFilter emits. */
function run(program: ReturnType<typeof captureFilter>, frame: Frame): number {
  let a = 0;
  for (let pc = 0, steps = 0; pc < program.length && steps < 1000; pc++, steps++) {
    const { code, jt, jf, k } = program[pc]!;
    const offset = k | 0;
    switch (code) {
      case 0x20: // ld word
        if (offset === -0x1000) a = frame.protocol;
        else if (offset === -0x1000 + 4) a = frame.pkttype;
        else throw new Error(`unexpected word load ${offset}`);
        break;
      case 0x28: // ldh [k]
        if (k + 2 > frame.data.length) return 0;
        a = (frame.data[k]! << 8) | frame.data[k + 1]!;
        break;
      case 0x30: // ldb [k]
        if (k + 1 > frame.data.length) return 0;
        a = frame.data[k]!;
        break;
      case 0x04: a = (a + k) >>> 0; break;
      case 0x54: a = (a & k) >>> 0; break;
      case 0x15: pc += a === k ? jt : jf; break;
      case 0x06: return Math.min(k, frame.data.length);
      case 0x16: return Math.min(a, frame.data.length);
      default: throw new Error(`unexpected opcode 0x${code.toString(16)}`);
    }
  }
  throw new Error('ran off the end of the program');
}

function ipv4(protocol: number, destination: number[], payload = 12, padding = 0): Uint8Array {
  const d = new Uint8Array(20 + payload + padding);
  d[0] = 0x45;
  new DataView(d.buffer).setUint16(2, 20 + payload);
  d[9] = protocol;
  d.set([192, 0, 2, 1], 12);
  d.set(destination, 16);
  return d;
}

function ipv6(nextHeader: number, payload = 8, padding = 0): Uint8Array {
  const d = new Uint8Array(40 + payload + padding);
  d[0] = 0x60;
  new DataView(d.buffer).setUint16(4, payload);
  d[6] = nextHeader;
  return d;
}

const KEEPS: CaptureKeep[] = ['all', 'multicast', 'igmp'];

describe('the capture filter', () => {
  for (const ipv6Socket of [false, true]) {
    for (const loopback of [false, true]) {
      for (const dropOtherHost of [false, true]) {
        for (const keep of ipv6Socket ? ['all' as const] : KEEPS) {
          const label = `${ipv6Socket ? 'IPv6' : 'IPv4'} keep=${keep} loopback=${loopback} dropOtherHost=${dropOtherHost}`;
          test(label, () => {
            const program = captureFilter(ipv6Socket, { loopback, dropOtherHost, keep });
            assert.ok(program.every((p, i) => p.code !== 0x15 || (i + 1 + Math.max(p.jt, p.jf) < program.length)), 'every jump lands inside');
            const udp4 = ipv4(17, [192, 0, 2, 2], 12, 6);
            const mcast4 = ipv4(17, [239, 1, 2, 3]);
            const igmp4 = ipv4(2, [224, 0, 0, 22], 8);
            const udp6 = ipv6(17, 8, 4);
            const kept = (protocol: number, pkttype: number, data: Uint8Array) => run(program, { protocol, pkttype, data });
            // Other protocols never pass, nor the other family.
            assert.equal(kept(ETH_P_ARP, HOST, new Uint8Array(28)), 0);
            assert.equal(kept(ipv6Socket ? ETH_P_IP : ETH_P_IPV6, HOST, ipv6Socket ? udp4 : udp6), 0);
            if (ipv6Socket) {
              assert.equal(kept(ETH_P_IPV6, HOST, udp6), 48, 'an IPv6 packet, cut to its length (padding dropped)');
              assert.equal(kept(ETH_P_IPV6, OUTGOING, udp6), loopback ? 0 : 48);
              assert.equal(kept(ETH_P_IPV6, OTHERHOST, udp6), dropOtherHost ? 0 : 48);
              return;
            }
            const expectUnicast = keep === 'all' ? 32 : 0;
            assert.equal(kept(ETH_P_IP, HOST, udp4), expectUnicast, 'unicast UDP (cut to the IP length)');
            assert.equal(kept(ETH_P_IP, OUTGOING, udp4), loopback ? 0 : expectUnicast, 'outgoing');
            assert.equal(kept(ETH_P_IP, OTHERHOST, udp4), dropOtherHost ? 0 : expectUnicast, 'for another host');
            assert.equal(kept(ETH_P_IP, HOST, mcast4), keep === 'igmp' ? 0 : 32, 'multicast UDP');
            assert.equal(kept(ETH_P_IP, HOST, igmp4), 28, 'IGMP to 224.0.0.22 (multicast, protocol 2)');
          });
        }
      }
    }
  }
});
