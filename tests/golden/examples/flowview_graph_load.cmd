graph ../../../examples/flowview/flowview.flux --pipeline flowview_load --format dot
