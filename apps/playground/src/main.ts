/** The playground page: the LIF panel and the SNN panel. */
import { mountLifPanel } from "./lif-panel.js";
import { mountSnnPanel } from "./snn-panel.js";

mountLifPanel();
void mountSnnPanel();
