/** `citysoc` run from source (tsx), so tests can kill a real server process with SIGKILL. */
import { main } from '../cli';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
