// Address conversion and byte order, checked against CPython's own socket
// module on this machine: the same calls, the same answers (values, or the
// exception class, message and errno).
import * as socket from '@stackless-io/socket-compat';
import { expectSameAsPython, needPython, useDefaultBackend, type Call } from './helpers.js';

const b = (hex: string): { $b: string } => ({ $b: hex });

const PTON4 = ['1.2.3.4', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.1.1.1', '0.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.04'];
const PTON6 = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1::', '1::2:', '::ffff:1.2.3.4', '::1.2.3.4', '::01.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', 'ABCD::ef', '::0001', '::00001', 'fe80::1%1', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', ':', ':::', '1:2:3:4:5:6:7:8::'];
const NTOP6 = [
  '00000000000000000000000000000000',
  '00000000000000000000000000000001',
  '00010000000000000000000000000000',
  '00000001000000000001000000000001',
  '00000000000000000000000001020304',
  '00000000000000000000ffff01020304',
  '00010000000100000000000100000000',
  '00010002000000030000000000040005',
  '01010101010101010101010101010101',
  '20010db8000000000000000000000001',
  '00000000000000000000000000000100',
  '0000000000000000000000000000ffff',
];
const ATON = ['1.2.3.4', '127.1', '0x7f.1', '010.1', '4294967295', '4294967296', '1.2.65535', '1.2.65536', '1.', '08', '0x', '1.2.3.4 junk', '1.2.3.4\tx', ' 1.2.3.4', '', '1.2.3.4.5', '0xffffffff', '0377.0377.0377.0377', '256.1'];

const CALLS: Call[] = [
  ...PTON4.map((s): Call => ['inet_pton', socket.AF_INET, s]),
  ...PTON6.map((s): Call => ['inet_pton', socket.AF_INET6, s]),
  ['inet_pton', 99, '1.2.3.4'],
  ['inet_pton', socket.AF_UNIX, 'x'],
  ['inet_pton', socket.AF_INET, 5],
  ['inet_pton', 'x', '1.2.3.4'],
  ['inet_pton', socket.AF_INET, '1.2.3.4\u0000'],
  ['inet_ntop', socket.AF_INET, b('01020304')],
  ['inet_ntop', socket.AF_INET, b('010203')],
  ['inet_ntop', socket.AF_INET6, b('0102')],
  ['inet_ntop', 99, b('01020304')],
  ['inet_ntop', socket.AF_UNIX, b('01')],
  ['inet_ntop', socket.AF_INET, 'abcd'],
  ...NTOP6.map((h): Call => ['inet_ntop', socket.AF_INET6, b(h)]),
  ...ATON.map((s): Call => ['inet_aton', s]),
  ['inet_aton', 5],
  ['inet_aton', b('31')],
  ['inet_aton', '1.2.3.4\u0000'],
  ['inet_ntoa', b('7f000001')],
  ['inet_ntoa', b('7f0000')],
  ['inet_ntoa', b('7f00000102')],
  ['inet_ntoa', 'abcd'],
  ...[0, 1, 0x1234, 0xffff, 0x10000, 70000, -1, 1.5, 'a', true, null].flatMap((v): Call[] => [
    ['htons', v],
    ['ntohs', v],
  ]),
  ...[0, 1, 0x12345678, 0xffffffff, 2 ** 32, -1, 1.5, 'a', true].flatMap((v): Call[] => [
    ['htonl', v],
    ['ntohl', v],
  ]),
];

describe('socket-compat: inet_pton, inet_ntop, inet_aton, inet_ntoa, htons, ntohs, htonl, ntohl', function () {
  useDefaultBackend();

  it('answers each call as CPython does (value, or exception class, message and errno)', async function () {
    needPython(this);
    await expectSameAsPython(socket as unknown as Record<string, unknown>, CALLS);
  });
});
