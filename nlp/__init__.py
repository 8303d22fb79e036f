"""Read performance self-evaluation reports of federations of industry and commerce."""
