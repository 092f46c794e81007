# METADATA
# title: Sources catalog tests
# description: The catalog names the five documents, each with a title, a site and a language, and a URL only where the document names its origin.
package advise.sources_test

import data.advise.sources

test_catalog_holds_the_five_documents if {
	object.keys(sources.catalog) == {
		"000_52410bb239ef2d82.txt",
		"001_12de2612dfdf4b91.txt",
		"002_687a735013d0ae0c.txt",
		"003_681de61063999d7b.txt",
		"004_c47ec412e6d24774.txt",
	}
}

test_every_entry_has_title_site_and_language if {
	every _, s in sources.catalog {
		s.title != ""
		s.site != ""
		s.language in {"en", "zh"}
	}
}

test_only_001_names_its_origin if {
	{f: s.url | some f, s in sources.catalog; s.url} == {"001_12de2612dfdf4b91.txt": "https://www.jianshu.com/p/50f48eb25215"}
}
