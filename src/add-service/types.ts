/** A service `add service` is asked for: `<name>:<kind>[:<host-port>]`. */
export interface NewService {
  name: string;
  kind: string;
  port?: number;
}
