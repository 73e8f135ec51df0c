/**
 * The services database (getservbyname, getservbyport, and named ports in
 * getaddrinfo): the system's services(5) file, read once, as the C
 * library's "files" source reads it. Where the file is absent a short table
 * of IANA's well-known ports stands in. Node has no getservbyname(), and
 * reading one small local file once is not worth a thread.
 */
import type { Int } from './pyargs.js';
import { readFileSync } from 'node:fs';
import { OverflowError, messageError, OSError } from './errors.js';
import { noNul, toCInt, toStr } from './pyargs.js';
import { cExact, cRange } from './arity.js';

interface Service {
  name: string;
  aliases: string[];
  port: number;
  proto: string;
}

const FALLBACK = `
tcpmux 1/tcp
echo 7/tcp
echo 7/udp
discard 9/tcp sink null
discard 9/udp sink null
daytime 13/tcp
daytime 13/udp
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
time 37/tcp timserver
time 37/udp timserver
domain 53/tcp
domain 53/udp
gopher 70/tcp
finger 79/tcp
http 80/tcp www
pop3 110/tcp pop-3
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
auth 113/tcp authentication tap ident
nntp 119/tcp readnews untp
ntp 123/udp
netbios-ns 137/udp
imap2 143/tcp imap
snmp 161/udp
ldap 389/tcp
https 443/tcp
https 443/udp
submissions 465/tcp ssmtp smtps urd
syslog 514/udp
submission 587/tcp
ldaps 636/tcp
imaps 993/tcp
pop3s 995/tcp
`;

let table: Service[] | null = null;

function parse(text: string): Service[] {
  const out: Service[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(\S+)$/.exec(portProto ?? '');
    if (name === undefined || m === null) continue;
    out.push({ name, aliases, port: Number(m[1]), proto: m[2]! });
  }
  return out;
}

function services(): Service[] {
  if (table === null) {
    let text = FALLBACK;
    try {
      text = readFileSync('/etc/services', 'latin1');
    } catch {
      // No services file here: the built-in well-known ports stand in.
    }
    table = parse(text);
  }
  return table;
}

/** The port of a named service for `proto` ('tcp', 'udp'...; null: any), or -1. */
export function servicePort(name: string, proto: string | null): number {
  for (const s of services()) {
    if ((proto === null || s.proto === proto) && (s.name === name || s.aliases.includes(name))) return s.port;
  }
  return -1;
}

/** The name of the service on `port` for `proto` (null: any), or null. */
export function serviceName(port: number, proto: string | null): string | null {
  for (const s of services()) if (s.port === port && (proto === null || s.proto === proto)) return s.name;
  return null;
}

/**
 * The port number of a named service ('http' → 80), optionally for one
 * protocol ('tcp', 'udp'). Raises OSError('service/proto not found').
 */
export function getservbyname(servicename: string, protocolname: string | null = null): number {
  cRange('getservbyname', arguments.length, 1, 2);
  const name = noNul(toStr(servicename, 'getservbyname', 1));
  const proto = protocolname === null || protocolname === undefined ? null : noNul(toStr(protocolname, 'getservbyname', 2));
  const port = servicePort(name, proto);
  if (port < 0) throw messageError(OSError, 'service/proto not found');
  return port;
}

/** The name of the service on a port (80 → 'http'). Raises OSError('port/proto not found'). */
export function getservbyport(port: Int, protocolname: string | null = null): string {
  cRange('getservbyport', arguments.length, 1, 2);
  const n = toCInt(port);
  const proto = protocolname === null || protocolname === undefined ? null : noNul(toStr(protocolname, 'getservbyport', 2));
  if (n < 0 || n > 0xffff) throw new OverflowError('getservbyport: port must be 0-65535.');
  const name = serviceName(n, proto);
  if (name === null) throw messageError(OSError, 'port/proto not found');
  return name;
}

const PROTOCOLS_FALLBACK = `
ip 0 IP
icmp 1 ICMP
igmp 2 IGMP
tcp 6 TCP
udp 17 UDP
ipv6 41 IPv6
ipv6-route 43 IPv6-Route
ipv6-frag 44 IPv6-Frag
gre 47 GRE
esp 50 IPSEC-ESP
ah 51 IPSEC-AH
ipv6-icmp 58 IPv6-ICMP
ipv6-nonxt 59 IPv6-NoNxt
ipv6-opts 60 IPv6-Opts
sctp 132 SCTP
udplite 136 UDPLite
`;

let protocols: Map<string, number> | null = null;

function protocolTable(): Map<string, number> {
  if (protocols === null) {
    let text = PROTOCOLS_FALLBACK;
    try {
      text = readFileSync('/etc/protocols', 'latin1');
    } catch {
      // No protocols file here: the common protocols stand in.
    }
    protocols = new Map();
    for (const raw of text.split('\n')) {
      const [name, num, ...aliases] = raw.replace(/#.*/, '').trim().split(/\s+/);
      if (name === undefined || name === '' || num === undefined || !/^\d+$/.test(num)) continue;
      for (const n of [name, ...aliases]) if (!protocols.has(n)) protocols.set(n, Number(num));
    }
  }
  return protocols;
}

/** The number of a protocol by name ('tcp' → 6), from the system's protocols(5) file. */
export function getprotobyname(protocolname: string): number {
  cExact('getprotobyname', arguments.length, 1);
  const name = noNul(toStr(protocolname, 'getprotobyname', 1));
  const n = protocolTable().get(name);
  if (n === undefined) throw messageError(OSError, 'protocol not found');
  return n;
}
