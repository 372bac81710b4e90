"""What a document holds, without Django: typed cells, indicator values, totals."""
