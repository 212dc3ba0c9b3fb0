(set-logic QF_FP)
(declare-const f (_ FloatingPoint 8 24))
