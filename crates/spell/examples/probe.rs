use std::time::Instant;
fn main() {
    let aff = std::fs::read_to_string("/usr/share/hunspell/en_US.aff").unwrap();
    let dic = std::fs::read_to_string("/usr/share/hunspell/en_US.dic").unwrap();
    let d = spellbook::Dictionary::new(&aff, &dic).unwrap();
    for w in ["recieve", "teh", "Teh", "definately", "Definately", "Anna", "Tom", "seperate", "xqzvbn", "occured", "knwon", "existant", "naïve", "accomodate"] {
        let t = Instant::now();
        let mut out = Vec::new();
        d.suggest(w, &mut out);
        let full = t.elapsed();
        let t = Instant::now();
        let mut out2 = Vec::new();
        d.suggester().with_ngram_suggestions(false).suggest(w, &mut out2);
        let no = t.elapsed();
        println!("{w:12} check={} full={full:?} {:?} | no-ngram={no:?} {:?}", d.check(w), &out[..out.len().min(5)], &out2[..out2.len().min(5)]);
    }
    let text = std::fs::read_to_string("/dev/null").unwrap(); let _ = text;
}
