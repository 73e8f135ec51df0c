/**
 * The builtin `open_file(path, data)`: writes `data` to `path` and opens it
 * for reading, as runner.py's `open(path, "wb")` then `open(path, "rb")`.
 * On this side the file object is a small Python-like binary file over a
 * Node descriptor (read, seek, tell, fileno, close), which is what
 * socket-compat's sendfile() takes.
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { ValueError } from '@stackless-io/runtime';

export class BinaryFile {
  readonly mode = 'rb';
  private pos = 0;
  private fd: number;

  constructor(path: string, data: Uint8Array) {
    writeFileSync(path, data);
    this.fd = openSync(path, 'r');
  }

  private open(): number {
    if (this.fd < 0) throw new ValueError('I/O operation on closed file.');
    return this.fd;
  }

  /** Up to `n` bytes from the position (all that is left when `n` is omitted or negative). */
  read(n = -1): Uint8Array {
    const fd = this.open();
    const size = n < 0 ? Math.max(0, fstatSync(fd).size - this.pos) : n;
    const buf = new Uint8Array(size);
    const got = readSync(fd, buf, 0, size, this.pos);
    this.pos += got;
    return buf.subarray(0, got);
  }

  seek(offset: number, whence = 0): number {
    const fd = this.open();
    this.pos = whence === 0 ? offset : whence === 1 ? this.pos + offset : fstatSync(fd).size + offset;
    return this.pos;
  }

  tell(): number {
    this.open();
    return this.pos;
  }

  fileno(): number {
    return this.open();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
