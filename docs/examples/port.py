# A blocking TCP program in Python: an upper-casing server in a thread,
# and a client. docs/build.sh runs it too: it must print what port.ts prints.
import socket
import threading


def handle(conn):
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())


def serve(server):
    conn, addr = server.accept()
    print('server: connection from', addr[0])
    handle(conn)


def main():
    server = socket.create_server(('127.0.0.1', 0))
    host, port = server.getsockname()
    t = threading.Thread(target=serve, args=(server,))
    t.start()
    with socket.create_connection((host, port), timeout=5) as client:
        client.sendall(b'hello, world')
        reply = client.recv(1024)
        print('client: got', reply.decode())
    t.join()
    server.close()


main()
