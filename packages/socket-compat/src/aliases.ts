/** camelCase aliases of the snake_case functions, for code that prefers JS naming. The Python names are the primary ones. */
import { create_connection, create_server, has_dualstack_ipv6 } from './functions.js';
import { gethostbyname_ex } from './netdb.js';

/** Alias of {@link create_connection}. */
export const createConnection = create_connection;
/** Alias of {@link create_server}. */
export const createServer = create_server;
/** Alias of {@link has_dualstack_ipv6}. */
export const hasDualstackIpv6 = has_dualstack_ipv6;
/** Alias of {@link gethostbyname_ex}. */
export const gethostbynameEx = gethostbyname_ex;
