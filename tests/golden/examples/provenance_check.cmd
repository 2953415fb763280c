check ../../../examples/provenance/provenance.flux
