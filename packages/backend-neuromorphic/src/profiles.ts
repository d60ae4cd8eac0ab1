/**
 * Neuromorphic target profiles as data. Every constant carries its unit and
 * its source, so reports can cite them and reviewers can check them. The
 * emulator, the deployment checks and the energy estimates read these
 * profiles; nothing about a chip is hard-coded elsewhere.
 */

/** A constant with its unit and where it comes from. */
export interface SourcedConstant {
  readonly value: number;
  readonly unit: string;
  readonly source: string;
}

/** A neuromorphic target's capacity, number formats and energy per event. */
export interface TargetProfile {
  readonly name: string;
  readonly description: string;
  readonly constants: Readonly<Record<string, SourcedConstant>>;
}

const DAVIES = "Davies et al., Loihi, IEEE Micro 38(1):82–99, 2018";
const LAVA = "Lava src/lava/proc/lif/models.py (PyLifModelBitAcc)";
const NENGO = "nengo-loihi nengo_loihi/block.py";
const MEROLLA = "Merolla et al., A million spiking-neuron integrated circuit…, Science 345(6197):668–673, 2014";

/** Intel Loihi (1st generation). */
export const loihiProfile: TargetProfile = {
  name: "loihi",
  description: "Intel Loihi 1: 128 cores × 1024 CUBA-LIF compartments, fixed-point state, event-driven.",
  constants: {
    coresPerChip: { value: 128, unit: "cores", source: `${DAVIES} p. 86` },
    neuronsPerCore: { value: 1024, unit: "compartments", source: `${DAVIES}; ${NENGO} MAX_COMPARTMENTS` },
    inputAxonsPerCore: { value: 4096, unit: "axons", source: `${DAVIES} p. 89; ${NENGO} MAX_IN_AXONS` },
    outputAxonsPerCore: { value: 4096, unit: "axons", source: `${DAVIES} p. 89; ${NENGO} MAX_OUT_AXONS` },
    synapticMemoryBitsPerCore: { value: 16384 * 64, unit: "bit", source: `${DAVIES} p. 89 (128 KB); ${NENGO} MAX_SYNAPSE_BITS` },
    weightBits: { value: 8, unit: "bit", source: `${DAVIES} p. 87 (1–9 bits); lava-dl quantize_8bit` },
    weightExponentOffset: { value: 6, unit: "bit shift", source: `${NENGO} get_real_weight_exp = 6 + weight_exp` },
    stateBits: { value: 24, unit: "bit", source: `${LAVA} uv_bitwidth = 24` },
    decayBits: { value: 12, unit: "bit", source: `${LAVA} du, dv precision = 12` },
    thresholdMantissaBits: { value: 17, unit: "bit", source: `${LAVA} vth 17-bit; ${NENGO} VTH_MAN_MAX` },
    thresholdShift: { value: 6, unit: "bit shift", source: `${LAVA} vth << 6` },
    hopLatency: { value: 1, unit: "time step per synapse hop", source: `${LAVA} (spikes delivered next step)` },
    energyPerSynapticOp: { value: 23.6e-12, unit: "J", source: `${DAVIES} Table 2` },
    energyPerNeuronUpdateInactive: { value: 52e-12, unit: "J", source: `${DAVIES} Table 2` },
    energyPerNeuronUpdateActive: { value: 81e-12, unit: "J", source: `${DAVIES} Table 2` },
    energyPerSpikeWithinTile: { value: 1.7e-12, unit: "J", source: `${DAVIES} Table 2` },
  },
};

/** IBM TrueNorth. */
export const trueNorthProfile: TargetProfile = {
  name: "truenorth",
  description: "IBM TrueNorth: 4096 cores × (256 axons × 256 neurons) binary crossbars, 1 ms tick.",
  constants: {
    cores: { value: 4096, unit: "cores", source: MEROLLA },
    axonsPerCore: { value: 256, unit: "axons", source: MEROLLA },
    neuronsPerCore: { value: 256, unit: "neurons", source: MEROLLA },
    axonTypes: { value: 4, unit: "types", source: `${MEROLLA} (per-neuron signed weight per axon type)` },
    weightBits: { value: 9, unit: "bit (signed)", source: "Akopyan et al., IEEE TCAD 34(10), 2015 (memory)" },
    targetsPerNeuron: { value: 1, unit: "axon", source: MEROLLA },
    tick: { value: 1e-3, unit: "s", source: MEROLLA },
    energyPerSynapticEvent: { value: 26e-12, unit: "J", source: MEROLLA },
  },
};

/** A constant of a profile; throws naming the known constants when absent. */
export function constantOf(profile: TargetProfile, name: string): number {
  const c = profile.constants[name];
  if (!c) throw new RangeError(`profile '${profile.name}' has no constant '${name}'; known: ${Object.keys(profile.constants).join(", ")}`);
  return c.value;
}
