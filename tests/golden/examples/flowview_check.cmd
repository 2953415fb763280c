check ../../../examples/flowview/flowview.flux
