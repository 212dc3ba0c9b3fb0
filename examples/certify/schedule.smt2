; Two jobs on one machine, each takes 3 time units, both must finish by time 6.
(set-info :status sat)
(set-logic QF_LIA)
(declare-const a Int)
(declare-const b Int)
(assert (and (>= a 0) (>= b 0) (<= (+ a 3) 6) (<= (+ b 3) 6)))
(assert (or (>= (- b a) 3) (>= (- a b) 3)))
(check-sat)
