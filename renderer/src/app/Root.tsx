import { hasBridge } from '../bridge';
import { App } from './App';
import { BridgeMissing } from './BridgeMissing';

/** Decides once, at mount, whether there is a bridge to run the app on. */
export function Root() {
  return hasBridge() ? <App /> : <BridgeMissing />;
}
