/** Every sub-command, in the order `wsaioctl --help` lists them. */
import type { CliCommand } from '../command.js';
import { decodeCommand } from './decode.js';
import { codesCommand } from './codes.js';
import { tcpinfoCommand } from './tcpinfo.js';
import { reportCommand } from './report.js';
import { sortCommand } from './sort.js';
import { interfacesCommand } from './interfaces.js';
import { addressesCommand } from './addresses.js';
import { routeCommand } from './route.js';
import { watchCommand } from './watch.js';
import { captureCommand } from './capture.js';

export const commands: CliCommand[] = [
  decodeCommand,
  codesCommand,
  tcpinfoCommand,
  reportCommand,
  sortCommand,
  interfacesCommand,
  addressesCommand,
  routeCommand,
  watchCommand,
  captureCommand,
];
