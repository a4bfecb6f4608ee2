# The oracle of GET /api/v1/trends for dimension cells (docs/analytics.md, "Waves and trends"):
# from Percept's wide CSV export alone, each institution's and the network's change between two
# waves, with R's survey package taking the interviews as the clusters
# (svydesign(ids = ~instance_id) on each cell's own rows), Welch-Satterthwaite degrees of freedom
# and the exact t. Nothing of Percept's code is used.
#   Rscript trends.R WIDE.csv A_FROM A_TO B_FROM B_TO SCALE_MIN SCALE_MAX
# Prints CSV: institution ("network" for the network), dimension, n_a, n_b, index_a, index_b,
# change, low, high, df, p (NA where a side has fewer than two interviews).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, check.names = FALSE, encoding = "UTF-8",
              colClasses = c(instance_id = "character", institution_id = "character"))
lo <- as.numeric(args[6])
hi <- as.numeric(args[7])
k <- 100 / (hi - lo)
d$day <- substr(d$completed_at, 1, 10)
d$overall[!(d$overall >= lo & d$overall <= hi)] <- NA
scores <- grep("^score_", names(d), value = TRUE)
columns <- c(setNames(scores, sub("^score_", "", scores)), overall = "overall")
wave <- function(from, to) d[d$day >= from & d$day <= to, ]
waves <- list(wave(args[2], args[3]), wave(args[4], args[5]))

side <- function(rows, column) {
  x <- rows[!is.na(rows[[column]]), ]
  h <- length(unique(x$instance_id))
  if (h < 2) return(list(n = nrow(x), mean = if (nrow(x)) mean(x[[column]]) else NA, v = NA, df = NA))
  design <- svydesign(ids = ~instance_id, data = x, weights = rep(1, nrow(x)))
  m <- svymean(as.formula(paste0("~", column)), design)
  list(n = nrow(x), mean = coef(m)[[1]], v = vcov(m)[1, 1], df = h - 1)
}

cat("institution,dimension,n_a,n_b,index_a,index_b,change,low,high,df,p\n")
institutions <- c("network", sort(unique(d$institution_id)))
for (inst in institutions) {
  for (dim in names(columns)) {
    s <- lapply(waves, function(w) {
      rows <- if (inst == "network") w else w[w$institution_id == inst, ]
      side(rows, columns[[dim]])
    })
    a <- s[[1]]
    b <- s[[2]]
    change <- k * (b$mean - a$mean)
    low <- high <- df <- p <- NA
    if (!is.na(a$v) && !is.na(b$v) && a$v + b$v > 0) {
      v <- a$v + b$v
      df <- v^2 / ((if (a$v > 0) a$v^2 / a$df else 0) + (if (b$v > 0) b$v^2 / b$df else 0))
      half <- qt(0.975, df) * k * sqrt(v)
      low <- change - half
      high <- change + half
      p <- 2 * pt(-abs((b$mean - a$mean) / sqrt(v)), df)
    }
    cat(sprintf("%s,%s,%d,%d,%.10f,%.10f,%.10f,%.10f,%.10f,%.10f,%.12g\n", inst, dim, a$n, b$n,
                k * (a$mean - lo), k * (b$mean - lo), change, low, high, df, p))
  }
}
