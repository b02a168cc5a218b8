"""Where one pass over a data set runs: in this process, chunk by chunk (``local``), or on a Dask
cluster, one task per partition (``dask_cluster``). A pass maps a pure function over chunks and merges
the mergeable results, so both engines give the same summaries.
"""
