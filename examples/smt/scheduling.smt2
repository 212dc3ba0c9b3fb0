; Three jobs on one machine, each with a duration; can they finish by time 10?
; Integer difference logic: every constraint is x - y <= c.
(set-info :smt-lib-version 2.6)
(set-logic QF_IDL)
(set-info :status sat)
(declare-fun s1 () Int)
(declare-fun s2 () Int)
(declare-fun s3 () Int)
(declare-fun zero () Int)
(assert (and (>= (- s1 zero) 0) (>= (- s2 zero) 0) (>= (- s3 zero) 0)))
; durations 3, 4, 2; no two jobs overlap
(assert (or (<= (- s1 s2) (- 3)) (<= (- s2 s1) (- 4))))
(assert (or (<= (- s1 s3) (- 3)) (<= (- s3 s1) (- 2))))
(assert (or (<= (- s2 s3) (- 4)) (<= (- s3 s2) (- 2))))
; all done by 10
(assert (and (<= (- s1 zero) 7) (<= (- s2 zero) 6) (<= (- s3 zero) 8)))
(check-sat)
(get-model)
